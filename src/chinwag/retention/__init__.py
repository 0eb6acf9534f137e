"""Retention: messages older than the workspace's or their group's retention are deleted by a
background sweep (chinwag.scheduler), with their reactions, mentions, edit history,
attachments, search entries and the files nothing else uses."""
