#!/usr/bin/env python3
"""Benchmark: email throughput of the SMTP client and MIME builder against a real SMTP server
(Debian's aiosmtpd, a handler that only counts), over ONE reused connection, in plain text,
STARTTLS (+ AUTH) and implicit TLS (+ AUTH).

Ours: build/tests/relais_mail_probe (the production SmtpClient and MIME builder) sends the same
message N times (`repeat`) and times the first connection to the last reply. For comparison,
Python's smtplib + email (a separate process) sends N similar messages over the same kind of
connection, building each one; and once more sending one pre-built message N times (almost no
client work: the server's ceiling). "server CPU" is the CPU time of this process (the aiosmtpd server thread: Python,
one core at most) over the wall time of the run: near 100 % means the server is the bottleneck,
not the client.

    /usr/bin/python3 tests/bench/bench_mail.py [--count 2000]

Prints a Markdown table for docs/BENCHMARKS.md."""

import argparse
import json
import os
import platform
import shutil
import smtplib
import ssl
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
PROBE = os.environ.get("RELAIS_MAIL_PROBE", os.path.join(ROOT, "build", "tests", "relais_mail_probe"))

USER, PASSWORD = "atelier-dupont", "Pa55 w0rd:Gar/age+="
FROM = {"name": "Garage Dupont", "address": "atelier@garage.test"}
TO = [{"name": "Hélène Lefèvre", "address": "helene.lefevre@example.test"}]
SUBJECT = "Votre Peugeot 308 (AB-123-CD) est prête — Garage Dupont"
TEXT = ("Bonjour Madame Lefèvre,\n\n"
        "Votre Peugeot 308 immatriculée AB-123-CD est prête : la révision des 60 000 km est terminée.\n"
        "Montant : 189,90 € TTC, à régler à l'accueil. Vous pouvez la récupérer aujourd'hui jusqu'à 18 h 30.\n\n"
        "Détail des travaux et facture : https://relais.garage-dupont.fr/c/7Hq2xK9pLm4nR8sT\n\n"
        "Nous avons aussi relevé des plaquettes de frein avant usées à 80 % : vous pouvez accepter ou refuser "
        "leur remplacement (145,00 € TTC) sur la même page.\n\n"
        "Cordialement,\nL'équipe du Garage Dupont\n04 72 00 00 00\n")
HTML = ("<!DOCTYPE html>\n<html lang=\"fr\"><head><meta charset=\"utf-8\"><title>Votre véhicule est prêt</title>"
        "</head>\n<body style=\"font-family: sans-serif\">\n<p>Bonjour Madame Lefèvre,</p>\n"
        "<p>Votre <strong>Peugeot 308</strong> immatriculée AB-123-CD est prête&nbsp;: la révision des 60&nbsp;000 km "
        "est terminée.</p>\n<p>Montant&nbsp;: <strong>189,90&nbsp;€ TTC</strong>, à régler à l'accueil. Vous pouvez la "
        "récupérer aujourd'hui jusqu'à 18&nbsp;h&nbsp;30.</p>\n"
        "<p><a href=\"https://relais.garage-dupont.fr/c/7Hq2xK9pLm4nR8sT\" style=\"background:#1a5fb4;color:#fff;"
        "padding:8px 16px;text-decoration:none\">Voir le détail et la facture</a></p>\n"
        "<p>Nous avons aussi relevé des plaquettes de frein avant usées à 80&nbsp;%&nbsp;: vous pouvez accepter ou "
        "refuser leur remplacement (145,00&nbsp;€ TTC) sur la même page.</p>\n"
        "<p>Cordialement,<br>\nL'équipe du Garage Dupont<br>\n04 72 00 00 00</p>\n</body>\n</html>\n")
MESSAGE = {"from": FROM, "to": TO, "subject": SUBJECT, "text": TEXT, "html": HTML, "auto_submitted": True}
MODES = (("plain", "none"), ("starttls", "starttls"), ("tls", "tls"))


def machine():
    model = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return (f"nproc {len(os.sched_getaffinity(0))}, {model}, {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}, {ssl.OPENSSL_VERSION}")


def start_server(kind, certs):
    from smtp_servers import SmtpServer
    auth = dict(user=USER, password=PASSWORD) if kind != "plain" else {}
    return SmtpServer(kind, certs=certs if kind != "plain" else None, keep=False, **auth).start()


def relay(kind, tls, port, certs):
    r = {"host": "127.0.0.1", "port": port, "tls": tls}
    if kind != "plain":
        r.update(username=USER, password=PASSWORD, ca_file=certs.ca, host_name="localhost")
    return r


def ours(kind, tls, certs, count, workdir):
    srv = start_server(kind, certs)
    try:
        job = {"relay": relay(kind, tls, srv.port, certs), "timeout_ms": 30000, "repeat": count,
               "summary_only": True, "messages": [MESSAGE]}
        log = os.path.join(workdir, f"probe-{kind}.log")
        cpu0, t0 = time.process_time(), time.perf_counter()
        with open(log, "w") as err:
            p = subprocess.run([PROBE], input=json.dumps(job, ensure_ascii=False).encode(), stdout=subprocess.PIPE,
                               stderr=err, timeout=3600)
        wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
        if p.returncode != 0:
            raise SystemExit(f"relais_mail_probe exited with {p.returncode}; its log: {log}")
        summary = json.loads(p.stdout.decode().strip().splitlines()[-1])
        if summary["delivered"] != count or srv.count != count or srv.connections != 1:
            raise SystemExit(f"{kind}: delivered {summary['delivered']}, server counted {srv.count} on "
                             f"{srv.connections} connections; log: {log}")
        return {"seconds": summary["seconds"], "per_second": summary["per_second"], "server_cpu": cpu / wall}
    finally:
        srv.stop()


def theirs(kind, tls, certs, count, prebuilt=False):
    """smtplib in a separate process (no GIL shared with the server). prebuilt: the message is built
    once and the same bytes sent N times (the server's ceiling: almost no client work)."""
    srv = start_server(kind, certs)
    try:
        args = json.dumps({"kind": kind, "port": srv.port, "ca": certs.ca if certs else None, "count": count,
                           "prebuilt": prebuilt})
        cpu0, t0 = time.process_time(), time.perf_counter()
        out = subprocess.run([sys.executable, __file__, "--smtplib-client", args], capture_output=True, text=True,
                             timeout=3600)
        wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
        if out.returncode != 0:
            raise SystemExit(f"smtplib client failed: {out.stderr}")
        r = json.loads(out.stdout)
        if srv.count != count or srv.connections != 1:
            raise SystemExit(f"smtplib {kind}: server counted {srv.count} on {srv.connections} connections")
        return {"seconds": r["seconds"], "per_second": count / r["seconds"], "server_cpu": cpu / wall}
    finally:
        srv.stop()


def smtplib_client(args):
    import email.policy
    import email.utils
    from email.headerregistry import Address
    from email.message import EmailMessage
    a = json.loads(args)
    ctx = ssl.create_default_context(cafile=a["ca"]) if a["ca"] else None
    t0 = time.perf_counter()
    if a["kind"] == "tls":
        s = smtplib.SMTP_SSL("127.0.0.1", a["port"], context=ctx, timeout=30)
    else:
        s = smtplib.SMTP("127.0.0.1", a["port"], timeout=30)
        if a["kind"] == "starttls":
            s.starttls(context=ctx)
    if a["kind"] != "plain":
        s.login(USER, PASSWORD)
    raw = None
    for _ in range(a["count"]):
        if raw is not None:
            s.sendmail(FROM["address"], [t["address"] for t in TO], raw)
            continue
        msg = EmailMessage(policy=email.policy.SMTP)
        msg["From"] = Address(FROM["name"], addr_spec=FROM["address"])
        msg["To"] = [Address(t["name"], addr_spec=t["address"]) for t in TO]
        msg["Subject"] = SUBJECT
        msg["Date"] = email.utils.formatdate(localtime=True)
        msg["Message-ID"] = email.utils.make_msgid(domain="garage.test")
        msg["Auto-Submitted"] = "auto-generated"
        msg.set_content(TEXT, cte="quoted-printable")
        msg.add_alternative(HTML, subtype="html", cte="quoted-printable")
        s.sendmail(FROM["address"], [t["address"] for t in TO], msg.as_bytes())
        if a["prebuilt"]:
            raw = msg.as_bytes()
    s.quit()
    print(json.dumps({"seconds": time.perf_counter() - t0}))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=2000, help="messages per run (default 2000)")
    ap.add_argument("--smtplib-client", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.smtplib_client:
        return smtplib_client(args.smtplib_client)
    if not os.access(PROBE, os.X_OK):
        raise SystemExit(f"{PROBE} is missing: build the relais_mail_probe target or set RELAIS_MAIL_PROBE")
    from smtp_servers import make_certs
    workdir = tempfile.mkdtemp(prefix="relais-bench-mail-")
    certs = make_certs(os.path.join(workdir, "certs"))
    rows = []
    for kind, tls in MODES:
        r = ours(kind, tls, certs, args.count, workdir)
        print(f"ours {kind}: {r}", file=sys.stderr)
        rows.append((kind, "relais (SmtpClient + MIME builder)", r))
        r = theirs(kind, tls, certs, args.count)
        print(f"smtplib {kind}: {r}", file=sys.stderr)
        rows.append((kind, f"Python {platform.python_version()} smtplib + email", r))
        r = theirs(kind, tls, certs, args.count, prebuilt=True)
        print(f"smtplib {kind}, one pre-built message: {r}", file=sys.stderr)
        rows.append((kind, "smtplib, one pre-built message (the server's ceiling)", r))
    shutil.rmtree(workdir, ignore_errors=True)
    print(f"Machine: {machine()}; server: aiosmtpd (Debian python3-aiosmtpd), counting only, one connection per run.")
    print()
    print("| mode | client | messages | seconds | messages/s | server CPU |")
    print("|---|---|---:|---:|---:|---:|")
    for kind, client, r in rows:
        print(f"| {kind} | {client} | {args.count} | {r['seconds']:.2f} | {r['per_second']:,.0f} | "
              f"{r['server_cpu'] * 100:.0f} % |")


if __name__ == "__main__":
    main()
