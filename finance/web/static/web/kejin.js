/* Kejin's page behaviour, from a static file: the Content-Security-Policy refuses inline scripts and handlers.
 * <select data-autosubmit> submits its form when changed (instead of onchange="this.form.submit()"). */
document.addEventListener("change", function (event) {
  var el = event.target;
  if (el && el.matches && el.matches("[data-autosubmit]") && el.form) {
    el.form.submit();
  }
});
