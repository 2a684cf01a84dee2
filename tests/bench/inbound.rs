//! Inbound email parsing speed: what `psa::inbound::parse` does with each received message (MIME parsing,
//! sender and threading headers, automatic-mail and bounce checks, quoted history and signature trimmed), on
//! three realistic messages: a plain reply with a quoted thread, an HTML-only newsletter-style message, and a
//! reply with a 200 KB attachment.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use palisade::psa::inbound::parse::parse;

fn reply_with_quote() -> Vec<u8> {
    let quote: String =
        (0..40).map(|n| format!("> line {n} of the earlier message, quoted by the mail client\r\n")).collect();
    format!(
        "Return-Path: <ann@legal.test>\r\nReceived: from mx.legal.test by help.test; Mon, 30 Nov 2026 09:00:00 +0000\r\n\
         From: Ann Lee <ann@legal.test>\r\nTo: tier-two-legal@help.test\r\nCc: bob@legal.test\r\n\
         Subject: Re: [#1042] Printer on fire\r\nDate: Mon, 30 Nov 2026 09:00:00 +0000\r\n\
         Message-ID: <reply-1@legal.test>\r\nIn-Reply-To: <out-7@help.test>\r\n\
         References: <root-1@legal.test> <out-3@help.test> <out-7@help.test>\r\nMIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n\
         It stopped smoking, but now it beeps every minute. Should I unplug it?\r\n\r\n\
         Thanks,\r\nAnn\r\n\r\nOn Mon, 30 Nov 2026 at 08:00, Northwind <tier-two-legal@help.test> wrote:\r\n{quote}"
    )
    .into_bytes()
}

fn html_only() -> Vec<u8> {
    let paragraphs: String = (0..30)
        .map(|n| format!("<p>Paragraph {n} with <b>bold</b> and <a href=\"https://x.test/{n}\">a link</a>.</p>"))
        .collect();
    format!(
        "From: \"Zed Quinn\" <zed@elsewhere.test>\r\nTo: northwind-managed-it@help.test\r\nSubject: Quote for 5 laptops\r\n\
         Message-ID: <q-1@elsewhere.test>\r\nMIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n\
         <html><body>{paragraphs}</body></html>\r\n"
    )
    .into_bytes()
}

fn with_attachment() -> Vec<u8> {
    use base64::Engine;
    let data: Vec<u8> = (0..200_000u32).map(|n| (n % 251) as u8).collect();
    let encoded = base64::engine::general_purpose::STANDARD.encode(data);
    let wrapped: String =
        encoded.as_bytes().chunks(76).map(|c| format!("{}\r\n", String::from_utf8_lossy(c))).collect();
    format!(
        "From: Ann Lee <ann@legal.test>\r\nTo: tier-two-legal@help.test\r\nSubject: Re: [#1042] logs\r\n\
         Message-ID: <logs-1@legal.test>\r\nIn-Reply-To: <out-9@help.test>\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\nContent-Type: text/plain\r\n\r\n\
         The printer log is attached.\r\n--b1\r\nContent-Type: application/octet-stream\r\n\
         Content-Disposition: attachment; filename=\"printer.log\"\r\nContent-Transfer-Encoding: base64\r\n\r\n\
         {wrapped}--b1--\r\n"
    )
    .into_bytes()
}

fn parsing(c: &mut Criterion) {
    let mut group = c.benchmark_group("inbound parse");
    group.throughput(Throughput::Elements(1));
    for (name, raw) in [
        ("reply with quoted thread", reply_with_quote()),
        ("HTML only", html_only()),
        ("200 KB attachment", with_attachment()),
    ] {
        assert!(parse(&raw, Some("ann@legal.test")).is_ok(), "{name} parses");
        group.bench_function(name, |b| b.iter(|| parse(black_box(&raw), Some("ann@legal.test")).unwrap()));
    }
    group.finish();
}

criterion_group!(benches, parsing);
criterion_main!(benches);
