// Live SMS counter: fills every element with data-sms-for="<textarea id>" as the text changes.
// Mirrors domain::sms::count: GSM-7 (basic table 1 septet, extension ^{}\[~]|€ and form feed
// 2 septets) 160 alone / 153 per part, otherwise UCS-2 (UTF-16 units) 70 / 67; a character is
// never split across parts.
(function () {
  var BASIC = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
  var EXTENSION = "\f^{}\\[~]|€";
  function count(text) {
    var chars = Array.from(text), gsm = true, i;
    for (i = 0; i < chars.length; i++) {
      if (BASIC.indexOf(chars[i]) < 0 && EXTENSION.indexOf(chars[i]) < 0) { gsm = false; break; }
    }
    var unit = function (c) { return gsm ? (EXTENSION.indexOf(c) < 0 ? 1 : 2) : c.length; };
    var single = gsm ? 160 : 70, part = gsm ? 153 : 67, total = 0;
    chars.forEach(function (c) { total += unit(c); });
    var segments = 1, last = total, per = single;
    if (total > single) {
      per = part; last = 0;
      chars.forEach(function (c) {
        var u = unit(c);
        if (last + u > part) { segments++; last = 0; }
        last += u;
      });
    }
    return chars.length + " karakter · " + segments + " SMS (" + (gsm ? "GSM-7" : "UCS-2") + ") · " + (per - last) + " tersisa";
  }
  document.querySelectorAll("[data-sms-for]").forEach(function (out) {
    var input = document.getElementById(out.getAttribute("data-sms-for"));
    if (!input) return;
    var update = function () { out.textContent = count(input.value); };
    input.addEventListener("input", update);
    update();
  });
})();
