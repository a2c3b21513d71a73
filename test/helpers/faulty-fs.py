#!/usr/bin/python3
"""A passthrough FUSE filesystem that fails fdatasync (or write) on command, for fault-injection tests.

    faulty-fs.py BACKING_DIR MOUNTPOINT CONTROL_FILE

CONTROL_FILE holds JSON, read again whenever its mtime changes:
    {"fsync": "EIO" | "ENOSPC" | null, "write": "EIO" | "ENOSPC" | null, "match": "substring of the path"}
A failing fsync behaves as Linux does after a failed writeback (the "fsyncgate" behaviour): the bytes
written to that file since its last good fsync are lost (zeroed in the backing file, where a later
reader finds them), the error is reported, and a later fsync succeeds without bringing them back.
Every injected fault adds a line to CONTROL_FILE + ".log".
Debian: python3-fusepy (module fusepy), fuse3.
"""
import errno
import json
import os
import subprocess
import sys
import threading
import time

from fusepy import FUSE, FuseOSError, Operations

ERRNO = {"EIO": errno.EIO, "ENOSPC": errno.ENOSPC}


class Faulty(Operations):
    def __init__(self, root, control):
        self.root = root
        self.control = control
        self.mtime = None
        self.rules = {}
        self.mu = threading.Lock()
        self.dirty = {}  # backing path -> list of (offset, length) written since its last good fsync

    def _full(self, path):
        return os.path.join(self.root, path.lstrip("/"))

    def _rule(self, op, path):
        try:
            m = os.stat(self.control).st_mtime_ns
        except FileNotFoundError:
            m = None
        if m != self.mtime:
            self.mtime = m
            try:
                with open(self.control) as f:
                    self.rules = json.load(f)
            except (OSError, ValueError):
                self.rules = {}
        code = self.rules.get(op)
        if code is None or self.rules.get("match", "") not in path:
            return None
        with open(self.control + ".log", "a") as f:
            f.write(f"{op} {code} {path}\n")
        return ERRNO[code]

    # Files and directories, passed through.
    def getattr(self, path, fh=None):
        st = os.lstat(self._full(path))
        return {k: getattr(st, k) for k in ("st_atime", "st_ctime", "st_gid", "st_mode", "st_mtime", "st_nlink", "st_size", "st_uid")}

    def readdir(self, path, fh):
        return [".", ".."] + os.listdir(self._full(path))

    def mkdir(self, path, mode):
        os.mkdir(self._full(path), mode)

    def rmdir(self, path):
        os.rmdir(self._full(path))

    def unlink(self, path):
        full = self._full(path)
        os.unlink(full)
        with self.mu:
            self.dirty.pop(full, None)

    def rename(self, old, new):
        os.rename(self._full(old), self._full(new))
        with self.mu:
            if self._full(old) in self.dirty:
                self.dirty[self._full(new)] = self.dirty.pop(self._full(old))

    def link(self, target, source):
        os.link(self._full(source), self._full(target))

    def chmod(self, path, mode):
        os.chmod(self._full(path), mode)

    def chown(self, path, uid, gid):
        os.chown(self._full(path), uid, gid)

    def utimens(self, path, times=None):
        os.utime(self._full(path), times)

    def statfs(self, path):
        st = os.statvfs(self._full(path))
        return {k: getattr(st, k) for k in ("f_bavail", "f_bfree", "f_blocks", "f_bsize", "f_favail", "f_ffree", "f_files", "f_flag", "f_frsize", "f_namemax")}

    def truncate(self, path, length, fh=None):
        full = self._full(path)
        with open(full, "r+") as f:
            f.truncate(length)
        with self.mu:
            self.dirty[full] = [(o, min(n, length - o)) for (o, n) in self.dirty.get(full, []) if o < length]

    def open(self, path, flags):
        return os.open(self._full(path), flags & ~os.O_APPEND)

    def create(self, path, mode, fi=None):
        return os.open(self._full(path), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)

    def read(self, path, size, offset, fh):
        return os.pread(fh, size, offset)

    def write(self, path, data, offset, fh):
        code = self._rule("write", path)
        if code is not None:
            raise FuseOSError(code)
        n = os.pwrite(fh, data, offset)
        with self.mu:
            self.dirty.setdefault(self._full(path), []).append((offset, n))
        return n

    def flush(self, path, fh):
        return 0

    def release(self, path, fh):
        os.close(fh)
        return 0

    def fsync(self, path, datasync, fh):
        full = self._full(path)
        code = self._rule("fsync", path)
        with self.mu:
            ranges = self.dirty.pop(full, [])
        if code is not None:
            # The page cache's dirty pages are dropped after a failed writeback: what was written since
            # the last good fsync is gone from the disk, and the next fsync has nothing left to report.
            size = os.fstat(fh).st_size
            for (o, n) in ranges:
                n = min(n, size - o)
                if n > 0:
                    os.pwrite(fh, b"\0" * n, o)
            raise FuseOSError(code)
        if datasync:
            os.fdatasync(fh)
        else:
            os.fsync(fh)
        return 0


def unmount_when_orphaned(mountpoint):
    # A test process that dies (a timeout, a crash) never unmounts: the mount goes with it.
    parent = os.getppid()
    while True:
        time.sleep(0.5)
        if os.getppid() != parent:
            subprocess.run(["umount", "-l", mountpoint], check=False)
            os._exit(0)


if __name__ == "__main__":
    backing, mountpoint, control = sys.argv[1:4]
    threading.Thread(target=unmount_when_orphaned, args=(mountpoint,), daemon=True).start()
    FUSE(Faulty(backing, control), mountpoint, foreground=True, nothreads=False, allow_other=True, default_permissions=False)
