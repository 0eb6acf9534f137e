// Starts ReDoc from a file, not an inline script, so /redoc keeps the page CSP. ReDoc styles
// itself with <style> elements (styled-components): the page's CSP allows those that carry
// this response's nonce, which ReDoc puts on each one it makes.
const root = document.getElementById("redoc");
Redoc.init(root.dataset.specUrl, { nonce: root.dataset.styleNonce }, root);
