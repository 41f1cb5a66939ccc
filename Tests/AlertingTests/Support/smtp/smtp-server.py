#!/usr/bin/python3
"""A real SMTP server for the email tests: aiosmtpd on 127.0.0.1, STARTTLS (or implicit TLS)
with the given certificate, AUTH PLAIN and LOGIN for one user, and every message it accepts
written as one JSON line to standard output. `--reject CODE` answers RCPT TO with that code
(a 4xx a mail server says when it is busy, a 5xx for an unknown mailbox).

    smtp-server.py --cert cert.pem --key key.pem [--implicit-tls] [--reject 451]

Prints `PORT <n>` first, once it listens."""
import argparse, json, socket, ssl, sys
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

parser = argparse.ArgumentParser()
parser.add_argument("--cert", required=True)
parser.add_argument("--key", required=True)
parser.add_argument("--implicit-tls", action="store_true")
parser.add_argument("--reject", type=int)
parser.add_argument("--user", default="notify")
parser.add_argument("--password", default="s3cret-pass")
args = parser.parse_args()

context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
context.load_cert_chain(args.cert, args.key)


class Handler:
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if args.reject:
            return f"{args.reject} {'Try again later' if args.reject < 500 else 'No such mailbox'}"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        print(json.dumps({"from": envelope.mail_from, "to": envelope.rcpt_tos, "tls": session.ssl is not None,
                          "auth": session.authenticated, "data": envelope.content.decode("utf-8", "replace")}), flush=True)
        return "250 Message accepted for delivery"


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == args.user and auth_data.password.decode() == args.password
    # handled=False: aiosmtpd answers 535 itself (by default a failure is left to the authenticator).
    return AuthResult(success=ok, handled=False)


# aiosmtpd's controller cannot listen on port 0: take a free port first.
probe = socket.socket()
probe.bind(("127.0.0.1", 0))
port = probe.getsockname()[1]
probe.close()
kwargs = dict(hostname="127.0.0.1", port=port, authenticator=authenticator, auth_required=True, auth_require_tls=True)
if args.implicit_tls:
    kwargs["ssl_context"] = context
    # aiosmtpd 1.4 knows only STARTTLS as TLS for auth_require_tls; here every byte is TLS.
    kwargs["auth_require_tls"] = False
else:
    kwargs["tls_context"] = context
    kwargs["require_starttls"] = True
controller = Controller(Handler(), **kwargs)
controller.start()
print(f"PORT {port}", flush=True)
try:
    sys.stdin.read()  # until the test closes standard input
finally:
    controller.stop()
