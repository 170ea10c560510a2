# The shim `compare` loads before a Python original (bin/compare/main.rs).
#
#     python SHIM ORIGINAL ARGS...
#
# It changes nothing in the original's file. It replaces a few functions of
# the `socket` module, so that the original's connections and name lookups
# go to the in-process mocks of `compare` and never leave the machine, then
# runs the original as `__main__` with `sys.argv = [ORIGINAL] + ARGS`.
#
# Written so that Python 3 can parse it too: a wrong interpreter then gets a
# clear message (exit 97), not a SyntaxError.
#
# Settings, all from the environment (the chapter sets the ones it needs):
#
#   INET_COMPARE_READY   a file to create once the shim is in place: how
#                        `compare` tells "the shim could not start" (exit 2)
#                        from "the original failed" (a difference).
#   INET_COMPARE_NOTES   a file to append a line to for each thing the shim
#                        had to do to run the original at all (see
#                        INET_COMPARE_CODING): compare shows them at the
#                        top of its report.
#   INET_COMPARE_HOSTS   the name table, in /etc/hosts form (ADDRESS NAME
#                        [ALIAS...] per line): the same text the chapter's
#                        DnsMock serves. Every lookup is answered from it.
#   INET_COMPARE_NO_REVERSE  addresses (separated by spaces) that have no
#                        name: a reverse lookup of one fails as for an
#                        address without a PTR record (HOST_NOT_FOUND).
#   INET_COMPARE_SMTP    HOST:PORT that a connection to port 25 of any host
#                        goes to instead.
#   INET_COMPARE_HTTP    HOST:PORT for port 80 of any host, likewise.
#   INET_COMPARE_REPORT  HOST:PORT to tell, in one line `listening PORT`,
#                        the port a server original listens on (servers
#                        bind port 0 when INET_COMPARE_EPHEMERAL is set, so
#                        parallel runs never collide).
#   INET_COMPARE_EPHEMERAL  if set (to anything), bind() ports become 0.
#   INET_COMPARE_CODING  a source encoding (utf-8) to read the original in
#                        when it has non-ASCII bytes but no coding line
#                        (PEP 263), which Python 2.7 refuses with a
#                        SyntaxError before running a line. The shim says
#                        so in INET_COMPARE_NOTES (else on stderr).
#
# Whatever is not redirected must be on loopback: a connection or datagram
# to any other address, or a bind() to one, is refused here, with a line on
# stderr, before the operating system ever sees it; a server that binds
# every interface gets loopback's only.

import os
import sys

if sys.version_info[:2] != (2, 7):
    sys.stderr.write(
        "the originals are Python 2.7 programs, but %s is Python "
        "%d.%d; pass --python CMD (e.g. --python "
        "\"env PYENV_VERSION=2.7.18 python\")\n"
        % (sys.executable, sys.version_info[0], sys.version_info[1]))
    sys.exit(97)

import errno
import re
import socket

_real_socket = socket._socketobject
_real_init = socket._socketobject.__init__
_real_connect = socket._socketobject.connect
_real_connect_ex = socket._socketobject.connect_ex
_real_bind = socket._socketobject.bind
_real_listen = socket._socketobject.listen


def _env_addr(name):
    """HOST:PORT from the environment variable `name`, or None."""
    text = os.environ.get(name)
    if not text:
        return None
    host, _, port = text.rpartition(":")
    return (host, int(port))


REDIRECTS = {25: _env_addr("INET_COMPARE_SMTP"),
             80: _env_addr("INET_COMPARE_HTTP")}


# ---------------------------------------------------------------- names
#
# The table: name (lowercase) -> addresses, address -> first name, as
# /etc/hosts is read by the C library.

def _read_table(text):
    by_name, by_addr = {}, {}
    for line in text.splitlines():
        fields = line.split("#", 1)[0].split()
        if len(fields) < 2:
            continue
        addr, names = fields[0], fields[1:]
        for name in names:
            by_name.setdefault(name.lower().rstrip("."), []).append(addr)
        by_addr.setdefault(addr, names[0])
    return by_name, by_addr


_BY_NAME, _BY_ADDR = _read_table(os.environ.get("INET_COMPARE_HOSTS", ""))
for _addr in os.environ.get("INET_COMPARE_NO_REVERSE", "").split():
    _BY_ADDR.pop(_addr, None)


def _is_ipv4(text):
    try:
        socket.inet_aton(text)
    except socket.error:
        return False
    return text.count(".") == 3


def _not_known():
    # What getaddrinfo says of an unknown name (EAI_NONAME, glibc's text).
    return socket.gaierror(socket.EAI_NONAME, "Name or service not known")


def _unknown_host():
    # What gethostbyaddr says of an unknown address (HOST_NOT_FOUND, 1).
    return socket.herror(1, "Unknown host")


def _ipv4_of(name):
    """The addresses of `name`, as CPython's setipaddr finds them: '' is
    INADDR_ANY, '<broadcast>' is INADDR_BROADCAST, a dotted quad is
    itself; anything else is looked up in the table."""
    if name == "":
        return ["0.0.0.0"]
    if name == "<broadcast>":
        return ["255.255.255.255"]
    if _is_ipv4(name):
        return [name]
    addrs = [a for a in _BY_NAME.get(name.lower().rstrip("."), [])
             if _is_ipv4(a)]
    if not addrs:
        raise _not_known()
    return addrs


def gethostbyname(name):
    return _ipv4_of(name)[0]


def gethostbyname_ex(name):
    addrs = _ipv4_of(name)
    canonical = _BY_ADDR.get(addrs[0], name)
    return (canonical, [], addrs)


def gethostbyaddr(host):
    addr = _ipv4_of(host)[0]
    name = _BY_ADDR.get(addr)
    if name is None:
        raise _unknown_host()
    return (name, [], [addr])


def getaddrinfo(host, port, family=0, socktype=0, proto=0, flags=0):
    if host is None:
        host = "127.0.0.1"
    if isinstance(port, str) and not port.isdigit():
        port = {"smtp": 25, "http": 80}.get(port)
        if port is None:
            raise socket.gaierror(socket.EAI_SERVICE,
                                  "Servname not supported for ai_socktype")
    port = int(port or 0)
    types = [socktype] if socktype else [socket.SOCK_STREAM]
    return [(socket.AF_INET, t, proto or 0, "", (addr, port))
            for addr in _ipv4_of(host) for t in types]


def getnameinfo(sockaddr, flags):
    name = _BY_ADDR.get(sockaddr[0])
    if name is None:
        raise _unknown_host()
    return (name, str(sockaddr[1]))


socket.gethostbyname = gethostbyname
socket.gethostbyname_ex = gethostbyname_ex
socket.gethostbyaddr = gethostbyaddr
socket.getaddrinfo = getaddrinfo
socket.getnameinfo = getnameinfo


# ---------------------------------------------------------- connections

def _is_loopback(ip):
    """Whether the address literal `ip` is on loopback."""
    return ip == "::1" or (_is_ipv4(ip) and ip.startswith("127."))


def _literal(host):
    """`host` as an address literal, so that the real socket never looks
    a name up itself (with the machine's nameserver): a literal stays,
    `localhost` is 127.0.0.1 unless the table says otherwise, any other
    name is looked up in the table."""
    if host == "::1" or _is_ipv4(host):
        return host
    if host.lower().rstrip(".") == "localhost" and "localhost" not in _BY_NAME:
        return "127.0.0.1"
    return _ipv4_of(host)[0]


def _route(address):
    """Where a connection to `address` really goes: ports 25 and 80 of any
    host to the mock; anything else must be on loopback."""
    if not isinstance(address, tuple):
        return address  # a Unix socket path: local by nature
    host, port = address[0], address[1]
    target = REDIRECTS.get(port)
    if target is not None:
        return target
    ip = _literal(host)
    if not _is_loopback(ip):
        sys.stderr.write("compare shim: refused to contact %s:%s "
                         "(not loopback)\n" % (host, port))
        raise socket.error(errno.ECONNREFUSED, "Connection refused")
    return (ip,) + tuple(address[1:])


def _connect(self, address):
    return _real_connect(self, _route(address))


def _connect_ex(self, address):
    try:
        routed = _route(address)
    except socket.error as e:
        return e.errno
    return _real_connect_ex(self, routed)


# ------------------------------------------------------- servers (hooks)
#
# The place for the server chapters (inet_08, inet_10): a server original
# binds the port its command line names. With INET_COMPARE_EPHEMERAL the
# port becomes 0, and listen() reports the port the system chose to
# INET_COMPARE_REPORT, so that `compare` knows where to connect without
# guessing or sleeping (python.rs, `PortReport`).

# Every interface is loopback's only: a server that binds them all would
# answer a client from off the machine.
_ANY_INTERFACE = {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "::": "::1"}


def _bind(self, address):
    if not isinstance(address, tuple):
        return _real_bind(self, address)  # a Unix socket path
    host = address[0]
    if host in _ANY_INTERFACE:
        host = _ANY_INTERFACE[host]
    elif host != "<broadcast>":
        host = _literal(host)  # a name: from the table, as for connect
        if not _is_loopback(host):
            sys.stderr.write("compare shim: refused to bind %s "
                             "(not loopback)\n" % (address[0],))
            raise socket.error(errno.EADDRNOTAVAIL,
                               "Cannot assign requested address")
    port = 0 if os.environ.get("INET_COMPARE_EPHEMERAL") else address[1]
    return _real_bind(self, (host, port) + tuple(address[2:]))


def _listen(self, backlog):
    result = _real_listen(self, backlog)
    report = _env_addr("INET_COMPARE_REPORT")
    if report is not None:
        port = self.getsockname()[1]
        told = _real_socket(socket.AF_INET, socket.SOCK_STREAM)
        told.settimeout(5)
        _real_connect(told, report)
        told.sendall("listening %d\n" % port)
        told.close()
    return result


def _init(self, *args, **kwargs):
    _real_init(self, *args, **kwargs)
    real_sendto = self.sendto

    # Datagrams too: a UDP sendto() to anywhere but loopback is refused.
    def sendto(data, *rest):
        routed = _route(rest[-1])
        return real_sendto(data, *(rest[:-1] + (routed,)))
    self.sendto = sendto


socket._socketobject.__init__ = _init
socket._socketobject.connect = _connect
socket._socketobject.connect_ex = _connect_ex
socket._socketobject.bind = _bind
socket._socketobject.listen = _listen


# ---------------------------------------------------------------- run it

_CODING_LINE = re.compile(r"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)")


def _undeclared_source(original):
    """With INET_COMPARE_CODING set, the original's source as unicode when
    it has non-ASCII bytes and no coding line (PEP 263: one of the first
    two lines), which Python 2.7 would refuse; otherwise None."""
    coding = os.environ.get("INET_COMPARE_CODING")
    if not coding:
        return None
    with open(original, "rb") as f:
        source = f.read()
    if any(_CODING_LINE.match(line) for line in source.split("\n")[:2]):
        return None
    if not re.search(r"[\x80-\xff]", source):
        return None
    _note("%s has non-ASCII bytes but no coding line (PEP 263), which "
          "Python 2.7 refuses with a SyntaxError before it runs a line: "
          "compare's shim reads it as %s, as that line would say, and runs "
          "it so" % (os.path.basename(original), coding))
    return source.decode(coding)


def _note(text):
    """Tells compare what was done to run the original (its notes file),
    or the user (stderr) when there is no such file."""
    notes = os.environ.get("INET_COMPARE_NOTES")
    if notes:
        with open(notes, "a") as f:
            f.write(text + "\n")
    else:
        sys.stderr.write("compare shim: %s\n" % text)


def _main():
    if len(sys.argv) < 2:
        sys.stderr.write("compare shim: usage: shim.py ORIGINAL [ARGS...]\n")
        sys.exit(98)
    original = sys.argv[1]
    sys.argv = sys.argv[1:]
    sys.path[0] = os.path.dirname(os.path.abspath(original))
    ready = os.environ.get("INET_COMPARE_READY")
    if ready:
        open(ready, "w").close()
    # A fresh globals dict, as `python ORIGINAL` would give it.
    globals_ = {"__name__": "__main__", "__file__": original,
                "__builtins__": __builtins__}
    source = _undeclared_source(original)
    if source is None:
        execfile(original, globals_)  # noqa: F821 (Python 2 only)
    else:
        # Compiled from unicode, its byte strings are encoded back in the
        # coding: the same bytes as with the coding line.
        exec(compile(source, original, "exec"), globals_)


_main()
