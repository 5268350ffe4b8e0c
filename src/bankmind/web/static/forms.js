// Upload forms on any page (/recon, /contracts). A file because the Content-Security-Policy forbids
// inline scripts. Once htmx has sent a form marked `data-clear-when-sent`, its chosen files are
// cleared (the job fragment names them), so that a second click does not send the same files again.
(function () {
  "use strict";

  document.querySelectorAll("form[data-clear-when-sent]").forEach(function (form) {
    form.addEventListener("htmx:afterRequest", function (event) {
      if (event.detail.elt !== form || !event.detail.successful) return;
      form.querySelectorAll('input[type="file"]').forEach(function (input) {
        input.value = "";
      });
    });
  });
})();
