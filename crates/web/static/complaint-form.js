// The public complaint form: "Pakai lokasi saya" fills latitude and longitude from the
// browser's geolocation, and the submit button is disabled once the form is sent (a second
// click would only be refused by the form's one-time token anyway).
(function () {
  var form = document.getElementById('complaint-form');
  if (!form) return;
  var locate = document.getElementById('use-location');
  if (locate && navigator.geolocation) {
    locate.hidden = false;
    locate.addEventListener('click', function () {
      navigator.geolocation.getCurrentPosition(function (p) {
        document.getElementById('lat').value = p.coords.latitude.toFixed(6);
        document.getElementById('long').value = p.coords.longitude.toFixed(6);
      });
    });
  }
  form.addEventListener('submit', function (event) {
    if (event.defaultPrevented) return;
    document.getElementById('submit').disabled = true;
  });
})();
