// Renders the OpenAPI document with the vendored Swagger UI (no inline script: CSP).
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const root = document.getElementById("swagger-ui");
  if (!root || typeof window.SwaggerUIBundle !== "function") return;
  window.SwaggerUIBundle({
    url: root.dataset.specUrl,
    domNode: root,
    deepLinking: true,
    tryItOutEnabled: false,
    persistAuthorization: false,
    // Tokens are typed into "Authorize" and sent as a header, never stored.
    withCredentials: false,
  });
});
