"""An aiosmtpd handler that misbehaves on cue, for popfetch's queue tests.

Recipients choose their fate by local part:
  ok-*       250 (stored as a Maildir message in the directory given as argument)
  full-*     452 4.2.2 mailbox full
  gone-*     550 5.1.1 no such user
  flaky-*    421 on the first transaction that names them, 250 afterwards
Run: python3 -m aiosmtpd -n -l HOST:PORT -c faulty_smtpd.Faulty DIR  (with this file on PYTHONPATH)
"""
import mailbox
import os


class Faulty:
    @classmethod
    def from_cli(cls, parser, *args):
        if len(args) != 1:
            parser.error("faulty_smtpd.Faulty takes the Maildir directory")
        return cls(args[0])

    def __init__(self, maildir):
        self.maildir = mailbox.Maildir(maildir, create=True)
        self.seen_flaky = os.path.join(maildir, "seen-flaky")

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@", 1)[0]
        if local.startswith("full-"):
            return "452 4.2.2 mailbox full"
        if local.startswith("gone-"):
            return "550 5.1.1 no such user"
        if local.startswith("flaky-") and not os.path.exists(self.seen_flaky):
            open(self.seen_flaky, "w").close()
            return "421 4.3.2 service shutting down"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        data = envelope.original_content or envelope.content
        if isinstance(data, str):
            data = data.encode("utf-8", "surrogateescape")
        header = ("X-RcptTo: " + ", ".join(envelope.rcpt_tos) + "\r\n").encode()
        self.maildir.add(header + data)
        return "250 2.0.0 stored"
