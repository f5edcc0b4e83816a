// Behaviour any page may use, attached by attribute so that no page needs inline script
// (the Content-Security-Policy allows none). Every action still works without JavaScript.
//
// <form data-confirm="Hapus …?">: asks before the form is sent; "Batal" keeps the page.
// <form data-confirm="…" data-confirm-unchecked="active">: asks only when the checkbox
//   `active`, ticked when the page was loaded, has been unticked (deactivating something).
// <span data-history-back hidden><a href="…">Kembali</a></span>: shown, and goes back in the
//   browser's history, only when there is a page to go back to.
(function () {
  document.addEventListener('submit', function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    var message = form.getAttribute('data-confirm');
    if (!message) return;
    var box = form.getAttribute('data-confirm-unchecked');
    if (box) {
      var input = form.elements.namedItem(box);
      if (!input || input.checked || !input.defaultChecked) return;
    }
    if (!window.confirm(message)) event.preventDefault();
  });

  document.addEventListener('DOMContentLoaded', function () {
    if (window.history.length < 2) return;
    document.querySelectorAll('[data-history-back]').forEach(function (el) {
      el.hidden = false;
      el.addEventListener('click', function (event) {
        event.preventDefault();
        window.history.back();
      });
    });
  });
})();
