// A minimal SMSC for bench/smpp-mt.sh, on the npm `smpp` package (as the SMSC simulator of
// crates/sms/tests/smsc/smsc.js): accepts any bind_transceiver, answers every submit_sm at once
// with a decimal message id and, with --receipts, sends a delivery receipt (stat:DELIVRD, with
// the receipted_message_id and message_state TLVs) right after the response. A receipt answered
// with an error status is sent again 100 ms later. Prints nothing per message:
//   {"event":"listening","port":P}               once listening
//   {"event":"first","at":MS}                     at the first submit_sm (ms since the epoch)
//   {"event":"stats","submits":N,"receipts_acked":R,"receipt_retries":T,"first":MS,"last":MS}
//                                                 every second while something changes
//
//   node bench/smsc-sink.js --port P [--receipts]
'use strict';

const smpp = require('smpp');

function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

const port = Number(arg('--port', '2775'));
const receipts = process.argv.includes('--receipts');

let nextMessageId = 1000000;
let submits = 0;
let receiptsAcked = 0;
let receiptRetries = 0;
let first = 0;
let last = 0;
let reported = '';

function emit(event) {
  process.stdout.write(JSON.stringify(event) + '\n');
}

function stamp(date) {
  const p = (n) => String(n).padStart(2, '0');
  return (
    p(date.getUTCFullYear() % 100) + p(date.getUTCMonth() + 1) + p(date.getUTCDate()) +
    p(date.getUTCHours()) + p(date.getUTCMinutes())
  );
}

function sendReceipt(session, fields) {
  if (session.closed) return;
  session.deliver_sm(fields, (resp) => {
    if (resp.command_status === 0) {
      receiptsAcked += 1;
    } else {
      receiptRetries += 1;
      setTimeout(() => sendReceipt(session, fields), 100);
    }
  });
}

const server = smpp.createServer((session) => {
  session.on('bind_transceiver', (pdu) => {
    session.send(pdu.response({ system_id: 'bench-smsc' }));
  });
  session.on('submit_sm', (pdu) => {
    const now = Date.now();
    if (submits === 0) {
      first = now;
      emit({ event: 'first', at: now });
    }
    submits += 1;
    last = now;
    const messageId = String(nextMessageId++);
    session.send(pdu.response({ message_id: messageId }));
    if (receipts && pdu.registered_delivery & 0x03) {
      const at = stamp(new Date(now));
      sendReceipt(session, {
        source_addr: pdu.destination_addr,
        destination_addr: pdu.source_addr,
        esm_class: 0x04,
        data_coding: 0,
        short_message: Buffer.from(
          `id:${messageId} sub:001 dlvrd:001 submit date:${at} done date:${at} stat:DELIVRD err:000 text:`,
          'latin1',
        ),
        receipted_message_id: messageId,
        message_state: 2,
      });
    }
  });
  session.on('enquire_link', (pdu) => session.send(pdu.response()));
  session.on('unbind', (pdu) => {
    session.send(pdu.response());
    session.close();
  });
  session.on('close', () => {
    session.closed = true;
  });
  session.on('error', () => {
    session.closed = true;
  });
});

setInterval(() => {
  const stats = { event: 'stats', submits, receipts_acked: receiptsAcked, receipt_retries: receiptRetries, first, last };
  const key = JSON.stringify(stats);
  if (key !== reported) {
    reported = key;
    emit(stats);
  }
}, 1000);

server.listen(port, '127.0.0.1', () => emit({ event: 'listening', port }));
