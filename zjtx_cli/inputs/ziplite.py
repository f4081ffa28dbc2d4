"""A small, strict reader of zip archives held in memory, for the common workbook (issue 11).

Python's ``zipfile`` costs about 5 ms of start-up (it imports pathlib, shutil, threading, bz2,
lzma, …), paid by every ``zjtx assess x.xlsx``. An ordinary workbook needs much less: the
end-of-central-directory record, the central directory, the local headers, and stored or
deflated members. :class:`LiteZip` reads exactly that, with ``struct`` and ``zlib`` only.

It never gives a verdict of its own. Whatever it does not fully understand raises
:class:`Fallback`, and the caller then does what it did before, with ``zipfile``: an archive
comment or anything after the end record, zip64 records, several disks, bytes before the
first entry, encryption or any other flag beyond deflate options / data descriptor / UTF-8
names, a method other than stored (0) or deflated (8), a name with a NUL or one that is not
ASCII without the UTF-8 flag (or not UTF-8 with it), an extra field that is not well formed
or carries zip64 / Info-ZIP Unicode path data, a local header that disagrees with the central
directory, entries that overlap or run into the directory, a member over
:data:`MEMBER_CAP`, a deflate stream that is damaged, ends early or late, has trailing
bytes, or yields a size or CRC-32 other than the directory's. So where it answers, its
entries and bytes are the ones ``zipfile`` gives, and every member it hands out was checked
whole (``zipfile`` checks the CRC only when a member is read to its end): a reader of a
prefix cannot meet an error ``zipfile`` would have raised.
"""

import io
import struct
import zlib

MEMBER_CAP = 1024 * 1024  # the largest member inflated here (larger ones: zipfile streams them, as before)

_EOCD = struct.Struct("<4s4H2LH")          # end of central directory, 22 bytes
_CDIR = struct.Struct("<4s4B4HL2L5H2L")    # central directory entry, 46 bytes
_LOCAL = struct.Struct("<4s2B4HL2L2H")     # local file header, 30 bytes
_EOCD_SIG = b"PK\x05\x06"
_CDIR_SIG = b"PK\x01\x02"
_LOCAL_SIG = b"PK\x03\x04"
_ZIP64_LOCATOR_SIG = b"PK\x06\x07"
_UTF8_NAMES = 0x0800
_DATA_DESCRIPTOR = 0x0008
_KNOWN_FLAGS = 0x0002 | 0x0004 | _DATA_DESCRIPTOR | _UTF8_NAMES   # deflate options, descriptor, UTF-8
_MAX_EXTRACT_VERSION = 63   # zipfile's: above it, it refuses the archive
_ZIP64_EXTRA = 0x0001
_UNICODE_PATH_EXTRA = 0x7075
_STORED, _DEFLATED = 0, 8


class Fallback(Exception):
    """This archive (or member) is not one :class:`LiteZip` fully understands: use ``zipfile``.

    Deliberately not an OSError / ValueError / RuntimeError, which callers translate into
    verdicts."""


class LiteInfo:
    """The part of ``zipfile.ZipInfo`` the guards use."""

    __slots__ = ("filename", "orig_filename", "flag_bits", "compress_type", "CRC", "compress_size",
                 "file_size", "header_offset", "data_offset")

    def __init__(self, filename: str, flag_bits: int, compress_type: int, crc: int,
                 compress_size: int, file_size: int, header_offset: int) -> None:
        self.filename = self.orig_filename = filename
        self.flag_bits = flag_bits
        self.compress_type = compress_type
        self.CRC = crc
        self.compress_size = compress_size
        self.file_size = file_size
        self.header_offset = header_offset
        self.data_offset = 0

    def is_dir(self) -> bool:
        return self.filename.endswith("/")

    def __repr__(self) -> str:
        return f"<LiteInfo {self.filename!r} size={self.file_size} method={self.compress_type}>"


def _decode_name(raw: bytes, flags: int) -> str:
    if b"\x00" in raw:
        raise Fallback("NUL in an entry name")  # zipfile cuts the name there
    if flags & _UTF8_NAMES:
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            raise Fallback("entry name is not UTF-8") from None
    if not raw.isascii():
        raise Fallback("non-ASCII cp437 entry name")  # zipfile decodes cp437; not done here
    return raw.decode("ascii")


def _check_extra(extra: bytes) -> None:
    pos, n = 0, len(extra)
    while pos < n:
        if pos + 4 > n:
            raise Fallback("extra field not well formed")
        tag, size = struct.unpack_from("<HH", extra, pos)
        if tag in (_ZIP64_EXTRA, _UNICODE_PATH_EXTRA):
            raise Fallback("zip64 or Unicode path extra field")
        pos += 4 + size
        if pos > n:
            raise Fallback("extra field not well formed")


class LiteZip:
    """The entries of a zip archive in ``data`` (bytes), read strictly; :class:`Fallback` otherwise.

    Offers what the guards use of ``zipfile.ZipFile``: ``infolist``, ``namelist``, ``getinfo``,
    ``read``, ``open`` (an in-memory file over the member) and use as a context manager.
    """

    def __init__(self, data: bytes) -> None:
        self._data = data
        n = len(data)
        if n < _EOCD.size:
            raise Fallback("too short for an end record")
        (sig, disk, cd_disk, count_here, count, cd_size, cd_offset,
         comment_len) = _EOCD.unpack_from(data, n - _EOCD.size)
        if sig != _EOCD_SIG or comment_len:
            raise Fallback("no end record at the very end (comment or trailing bytes)")
        end_pos = n - _EOCD.size
        if n >= _EOCD.size + 20 and data[end_pos - 20:end_pos - 16] == _ZIP64_LOCATOR_SIG:
            raise Fallback("zip64 locator")
        if disk or cd_disk or count_here != count or 0xFFFF in (count_here, count) \
                or 0xFFFFFFFF in (cd_size, cd_offset):
            raise Fallback("several disks or zip64 markers")
        if cd_offset + cd_size != end_pos:
            raise Fallback("central directory not right before the end record (prefix bytes?)")

        infos: list[LiteInfo] = []
        raw_names: list[bytes] = []
        pos = cd_offset
        while pos < end_pos:
            if pos + _CDIR.size > end_pos:
                raise Fallback("truncated central directory")
            (sig, _cver, _csys, ext_version, _reserved, flags, method, _time, _date, crc, csize, usize,
             name_len, extra_len, comment_len, disk_start, _iattr, _eattr, offset) = _CDIR.unpack_from(data, pos)
            if sig != _CDIR_SIG:
                raise Fallback("bad central directory signature")
            name_start = pos + _CDIR.size
            name_end = name_start + name_len
            extra_end = name_end + extra_len
            pos = extra_end + comment_len
            if pos > end_pos:
                raise Fallback("central directory entry runs past the directory")
            if ext_version > _MAX_EXTRACT_VERSION or disk_start:
                raise Fallback("version needed or disk number")
            if flags & ~_KNOWN_FLAGS:
                raise Fallback("encryption or another flag not handled here")
            if method not in (_STORED, _DEFLATED):
                raise Fallback("compression method not handled here")
            if 0xFFFFFFFF in (csize, usize, offset):
                raise Fallback("zip64 sizes")
            if method == _STORED and csize != usize:
                raise Fallback("stored member with two sizes")
            raw = data[name_start:name_end]
            _check_extra(data[name_end:extra_end])
            infos.append(LiteInfo(_decode_name(raw, flags), flags, method, crc, csize, usize, offset))
            raw_names.append(raw)
        if pos != end_pos or len(infos) != count:
            raise Fallback("central directory size or count disagrees with the end record")

        # local headers: where each member's data starts, and agreement with the directory
        for info, raw in zip(infos, raw_names):
            off = info.header_offset
            if off + _LOCAL.size > cd_offset:
                raise Fallback("local header past the central directory")
            (sig, _ver, _sys, flags, method, _time, _date, crc, csize, usize,
             name_len, extra_len) = _LOCAL.unpack_from(data, off)
            if sig != _LOCAL_SIG or method != info.compress_type \
                    or (flags & _UTF8_NAMES) != (info.flag_bits & _UTF8_NAMES):
                raise Fallback("local header disagrees with the central directory")
            if not (info.flag_bits & _DATA_DESCRIPTOR and flags & _DATA_DESCRIPTOR and crc == csize == usize == 0) \
                    and (crc, csize, usize) != (info.CRC, info.compress_size, info.file_size):
                raise Fallback("local sizes or CRC disagree with the central directory")
            name_start = off + _LOCAL.size
            if data[name_start:name_start + name_len] != raw:
                raise Fallback("local name disagrees with the central directory")
            _check_extra(data[name_start + name_len:name_start + name_len + extra_len])
            info.data_offset = name_start + name_len + extra_len

        # no overlap: each member's data ends before the next local header, the last before the directory
        ordered = sorted(infos, key=lambda i: i.header_offset)
        for info, nxt in zip(ordered, ordered[1:] + [None]):
            limit = cd_offset if nxt is None else nxt.header_offset
            if nxt is not None and nxt.header_offset <= info.header_offset:
                raise Fallback("two entries at one offset")
            if info.data_offset + info.compress_size > limit:
                raise Fallback("overlapping entries")

        self._infos = infos
        self._by_name = {i.filename: i for i in infos}  # the last of duplicates wins, as in zipfile

    # ------------------------------------------------------------------ zipfile.ZipFile's read side
    def infolist(self) -> list[LiteInfo]:
        return self._infos

    def namelist(self) -> list[str]:
        return [i.filename for i in self._infos]

    def getinfo(self, name: str) -> LiteInfo:
        info = self._by_name.get(name)
        if info is None:
            raise KeyError(f"There is no item named {name!r} in the archive")
        return info

    def read(self, member: "str | LiteInfo") -> bytes:
        """The whole member, checked: size, end of the stream and CRC-32 (:class:`Fallback` if not)."""
        info = member if isinstance(member, LiteInfo) else self.getinfo(member)
        size = info.file_size
        if size > MEMBER_CAP:
            raise Fallback("member larger than the cap")
        start = info.data_offset
        comp = self._data[start:start + info.compress_size]
        if info.compress_type == _STORED:
            out = bytes(comp)
        else:
            d = zlib.decompressobj(-15)
            try:
                out = d.decompress(comp, size + 1)  # never more than the directory says (+1 to notice)
            except zlib.error:
                raise Fallback("damaged deflate stream") from None
            if not d.eof or d.unused_data or d.unconsumed_tail:
                raise Fallback("deflate stream ends early, late or with trailing bytes")
        if len(out) != size or zlib.crc32(out) != info.CRC:
            raise Fallback("size or CRC-32 disagrees with the central directory")
        return out

    def open(self, member: "str | LiteInfo") -> io.BytesIO:
        return io.BytesIO(self.read(member))

    def close(self) -> None:
        pass

    def __enter__(self) -> "LiteZip":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
