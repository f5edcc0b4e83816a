// The SMS gateway form: shows only the fieldsets of the chosen kind. Without JavaScript every
// fieldset stays visible and the server ignores the fields of other kinds.
(function () {
  var kind = document.getElementById('kind');
  if (!kind) return;
  function show() {
    document.querySelectorAll('#gateway-form [data-kinds]').forEach(function (el) {
      el.hidden = el.getAttribute('data-kinds').split(' ').indexOf(kind.value) < 0;
    });
  }
  kind.addEventListener('change', show);
  show();
})();
