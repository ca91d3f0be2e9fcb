"""Make this Python look like Windows to the code it runs: the Unix-only parts of `os` and
`signal`, and the Unix-only modules, are taken away before anything else is imported.

Put this folder first on PYTHONPATH; `site` imports `sitecustomize` at start-up. Only
what is missing is simulated: sys.platform, path syntax and file locking semantics stay
Linux's, so this catches a Unix-only name used without a guard (the AttributeError or
ImportError a Windows user would get), not every difference. The lists are what CPython
on Windows lacks (its `os`, `signal` and module documentation, "Availability: Unix").
"""

import os
import signal
import sys

UNIX_ONLY_OS = (
    # open(2) flags
    "O_NONBLOCK", "O_NDELAY", "O_NOCTTY", "O_NOFOLLOW", "O_CLOEXEC", "O_DIRECTORY",
    "O_SYNC", "O_DSYNC", "O_RSYNC", "O_FSYNC", "O_ASYNC", "O_NOATIME", "O_PATH",
    "O_TMPFILE", "O_LARGEFILE", "O_DIRECT", "O_EXLOCK", "O_SHLOCK",
    # owners, processes, FIFOs, devices
    "fchmod", "fchown", "chown", "lchown", "getuid", "geteuid", "getgid", "getegid",
    "getgroups", "killpg", "setsid", "getsid", "getpgid", "setpgid", "mkfifo", "mknod",
    "sync", "fork", "forkpty", "openpty", "wait3", "wait4", "getloadavg", "nice",
)  # fmt: skip
UNIX_ONLY_SIGNAL = (
    "SIGKILL", "SIGHUP", "SIGQUIT", "SIGALRM", "SIGPIPE", "SIGCHLD", "SIGUSR1", "SIGUSR2",
    "SIGSTOP", "SIGCONT", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGWINCH", "SIGXCPU",
    "alarm", "setitimer", "getitimer", "pause", "siginterrupt", "pthread_kill",
    "pthread_sigmask", "sigwait", "sigpending", "sigtimedwait", "sigwaitinfo",
)  # fmt: skip
UNIX_ONLY_MODULES = ("fcntl", "termios", "tty", "pty", "resource", "pwd", "grp")

for name in UNIX_ONLY_OS:
    if hasattr(os, name):
        delattr(os, name)
for name in UNIX_ONLY_SIGNAL:
    if hasattr(signal, name):
        delattr(signal, name)
for name in UNIX_ONLY_MODULES:
    # None in sys.modules makes `import fcntl` raise ImportError, as on Windows.
    sys.modules[name] = None  # type: ignore[assignment]

os.environ["RECONCILER_TEST_WINDOWS_LIKE"] = "1"  # proof for the test that this ran
