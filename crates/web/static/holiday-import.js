// The holiday import: a picked CSV or iCalendar file is read into the textarea, which is what
// the form sends. Without JavaScript the file's content is pasted there by hand.
(function () {
  var picker = document.getElementById('file-picker');
  var target = document.getElementById('file');
  if (!picker || !target) return;
  picker.hidden = false;
  picker.addEventListener('change', function (e) {
    var f = e.target.files[0];
    if (!f) return;
    var reader = new FileReader();
    reader.onload = function () { target.value = reader.result; };
    reader.readAsText(f);
  });
})();
