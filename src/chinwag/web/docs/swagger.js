// Starts Swagger UI from a file, not an inline script, so /docs keeps the page CSP
// (default-src 'self'): FastAPI's own page inlines this and loads the bundle from a CDN.
const root = document.getElementById("swagger-ui");
window.ui = SwaggerUIBundle({
  url: root.dataset.openapiUrl,
  dom_id: "#swagger-ui",
  layout: "BaseLayout",
  deepLinking: true,
  showExtensions: true,
  showCommonExtensions: true,
  // Authorize (the password form) stays across reloads of the page
  persistAuthorization: true,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
});
