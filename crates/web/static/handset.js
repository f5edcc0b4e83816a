// The simulated handset (gateway `dev`): counts the characters typed and reloads the page
// when the conversation has a new message.
(function () {
  var box = document.getElementById('sms-text');
  var counter = document.getElementById('counter');
  var phone = document.getElementById('nomor');
  if (!box || !counter || !phone) return;
  box.addEventListener('input', function () {
    counter.textContent = box.value.length + ' karakter';
  });
  setInterval(function () {
    fetch('/simulasi-sms/pesan?nomor=' + encodeURIComponent(phone.value))
      .then(function (r) { return r.json(); })
      .then(function (list) {
        if (list.length !== document.querySelectorAll('#conversation .bubble').length) {
          location.reload();
        }
      });
  }, 3000);
})();
