"""What the library's operator needs: mail settings that take effect without a restart, a test
letter that shows what the mail server answered, and passwords that can be piped."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from test_requests_support import smtp_server

from archive.delivery.settings import LiveSettings, settings_path
from archive.home import Home

ROOT = Path(__file__).resolve().parent.parent


def write_settings(home: Home, text: str) -> None:
    path = settings_path(home)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    stamp = path.stat().st_mtime_ns + 1_000_000        # a change within the same tick is still a change
    os.utime(path, ns=(stamp, stamp))


def test_settings_changes_take_effect_without_a_restart_and_a_broken_file_keeps_the_last(home):
    warnings = []
    live = LiveSettings(home, warn=warnings.append)
    assert live.get().mail.host == "" and live.get().link_days > 0
    write_settings(home, '[mail]\nhost = "mail.library.example.kz"\nport = 587\ntls = "starttls"\n')
    assert (live.get().mail.host, live.get().mail.port) == ("mail.library.example.kz", 587)
    write_settings(home, '[mail]\nhost = "x"\ntls = "maybe"\n')              # a typo while editing
    assert live.get().mail.host == "mail.library.example.kz" and warnings
    assert "mail.tls 'maybe'" in warnings[0]
    live.change(link_days=3)
    write_settings(home, '[mail]\nhost = "other.example.kz"\n')
    assert live.get().mail.host == "other.example.kz" and live.get().link_days == 3   # overrides stay


def test_mail_test_sends_a_letter_and_shows_the_servers_answers(olke, home):
    with smtp_server() as (mailbox, mail):
        write_settings(home, f'[mail]\nhost = "{mail["host"]}"\nport = {mail["port"]}\n'
                             f'sender = "{mail["sender"]}"\n')
        result = olke("mail", "test", "bibliograph@library.example.kz")
        assert result.exit_code == 0, result.output
        assert "  connect: 220" in result.output and "  RCPT TO: 250" in result.output
        assert "  DATA: 250" in result.output
        (letter,) = mailbox.wait(1)
        assert letter["To"] == "bibliograph@library.example.kz" and "test letter" in letter["Subject"]


def test_mail_test_says_which_step_failed(olke, home):
    from test_requests_support import free_port

    write_settings(home, f'[mail]\nhost = "127.0.0.1"\nport = {free_port()}\ntimeout = 3\n')
    result = olke("mail", "test", "bibliograph@library.example.kz")
    assert result.exit_code != 0
    assert "connect to 127.0.0.1:" in result.output and "failed" in result.output
    assert "fix [mail] in delivery.toml" in result.output
    assert olke("mail", "test", "not-an-address").exit_code == 2


def test_a_piped_password_is_taken_without_warnings(home):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-m", "cli", "--home", str(home.root), "staff", "add", "librarian"],
                          input="a long pass phrase\n", capture_output=True, text=True, env=env, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert "Warning" not in done.stderr and "echo" not in done.stderr
    listed = subprocess.run([sys.executable, "-m", "cli", "--home", str(home.root), "staff", "list"],
                            capture_output=True, text=True, env=env, cwd=ROOT)
    assert "librarian" in listed.stdout
