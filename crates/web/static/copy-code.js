// Shows the "Salin kode" button and copies the tracking code with the Clipboard API. Without
// JavaScript the code stays on the page as selectable text.
document.querySelectorAll("button[data-copy]").forEach(function (button) {
  if (!navigator.clipboard) return;
  button.hidden = false;
  button.addEventListener("click", function () {
    navigator.clipboard.writeText(button.dataset.copy).then(function () {
      button.textContent = "Kode disalin";
    });
  });
});
