#!/bin/sh
# The container's start: for `serve`, bring the database schema up to date first (once, before
# any worker starts; a failure stops the container with Alembic's message), then serve. Any
# other command runs as it is: `docker compose exec chinwag chinwag-entrypoint doctor`,
# `... users create ana@example.com ana --site-admin`.
set -eu
if [ "${1:-}" = "serve" ]; then
    chinwag db upgrade
fi
exec chinwag "$@"
