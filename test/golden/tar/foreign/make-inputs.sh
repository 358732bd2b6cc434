#!/bin/sh
# Makes the foreign input archives in this folder: the same small tree written by GNU tar in
# each of its formats, plus one written by tar-stream. They were made once with GNU tar 1.34 and
# tar-stream 3.2.2 and are committed; ../gen.go then records how Go's archive/tar rewrites them.
# Run from this folder (needs GNU tar, and node with the repository's node_modules):
#   sh make-inputs.sh
set -eu
here=$(pwd)
tree=$(mktemp -d)
trap 'rm -rf "$tree"' EXIT
cd "$tree"
mkdir -p root/dir "root/$(printf 'd%.0s' $(seq 1 60))/$(printf 'e%.0s' $(seq 1 60))"
printf 'hello\n' > root/dir/file.txt
: > root/empty
printf '#!/bin/sh\necho hi\n' > root/run.sh && chmod 0755 root/run.sh
head -c 512 /dev/zero | tr '\0' 'z' > root/block512
printf 'unicode\n' > "root/h$(printf '\303\251')llo-w$(printf '\303\266')rld.txt"
printf 'deep\n' > "root/$(printf 'd%.0s' $(seq 1 60))/$(printf 'e%.0s' $(seq 1 60))/$(printf 'f%.0s' $(seq 1 70)).txt"
ln root/dir/file.txt root/hardlink
ln -s dir/file.txt root/symlink
cp -r root longroot
ln -s "../$(printf 't%.0s' $(seq 1 120))/target" "longroot/longlink"
printf 'long\n' > "longroot/$(printf 'n%.0s' $(seq 1 150))"
find root longroot -exec touch -h -d @1700000000.123456789 {} +
chmod 0755 root/dir longroot/dir
common="--sort=name --owner=builder:1000 --group=staff:50"
tar $common --format=gnu -cf "$here/gnu-gnu.tar" -C longroot .
tar $common --format=posix -cf "$here/gnu-posix.tar" -C longroot .
tar $common --format=ustar -cf "$here/gnu-ustar.tar" -C root .
tar $common --format=v7 -cf "$here/gnu-v7.tar" -C root dir symlink hardlink run.sh empty
cd "$here"
node --input-type=module -e '
import { pack } from "tar-stream";
import { createWriteStream } from "node:fs";
const p = pack();
const mtime = new Date(1700000000000);
p.entry({ name: "dir/", type: "directory", mode: 0o755, mtime });
p.entry({ name: "dir/" + "x".repeat(120), mode: 0o644, mtime, uid: 1000, gid: 1000, uname: "builder", gname: "staff" }, "tar-stream long name\n");
p.entry({ name: "dir/sym", type: "symlink", linkname: "../" + "y".repeat(150), mode: 0o777, mtime });
p.entry({ name: "h\u00e9llo.txt", mode: 0o600, mtime }, "x");
p.entry({ name: "attrs", mode: 0o644, mtime, pax: { comment: "from tar-stream" } }, "a");
p.finalize();
p.pipe(createWriteStream("tar-stream.tar"));
'
