# Sourced by each boot's /init (busybox sh, PID 1 in the s390x guest). Not part of the agent: the harness.
# Real programs are always called by path: a busybox applet of the same name must never stand in for them. Console lines are short and paced: Hercules' 3215 console drops pieces
# of long, bursty lines and mangles [ ] | ^, so results travel as "GBA …" words and base64 ("GBA B …").
# Busybox's applets as links in /bb, last on PATH: the real ip, modprobe and udevadm come first.
/usr/bin/busybox mkdir -p /bb
/usr/bin/busybox --install -s /bb
export PATH=/usr/sbin:/usr/bin:/bb
export HOME=/root
GBA=/gba/guest-boot-agent.js
OUT=/tmp/out

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /tmp
mkdir -p $OUT /run/udev

# Microseconds between console lines: Hercules' 3215 needs them; QEMU's SCLP console does not (gbapace=0).
PACE=${gbapace:-30000}

# say WORDS: one result line.
say() {
  echo "GBA $*"
  usleep $PACE
}

# uptime in seconds (centiseconds), the guest's clock for step times.
now() {
  read -r up _ < /proc/uptime
  echo "$up"
}

since() {
  awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'
}

# step NAME COMMAND…: runs it with stdout/stderr/exit/seconds in $OUT/NAME.*, says the exit and the time.
step() {
  name=$1
  shift
  t0=$(now)
  "$@" > "$OUT/$name.out" 2> "$OUT/$name.err"
  rc=$?
  secs=$(since "$t0")
  echo "$rc" > "$OUT/$name.rc"
  echo "$secs" > "$OUT/$name.secs"
  say STEP "$name" rc "$rc" secs "$secs"
}

# ship FILE…: each file gzipped (its CRC checks the whole) and base64-encoded, as lines
# "GBA B <copy> <name> <n> <chunk>" and "GBA E <copy> <name> <lines>", three times with chunks of 48, 40 and 32
# characters: Hercules' 3215 console loses some lines, apparently by content, so each copy cuts the text
# differently and the host takes the first copy that arrived whole.
ship() {
  for copy in 1 2 3; do
    width=$((56 - copy * 8))
    for file in "$@"; do
      [ -f "$file" ] || continue
      name=${file##*/}
      n=0
      gzip -9 -c "$file" | base64 | tr -d '\n' | fold -w $width > /tmp/ship.b64
      echo >> /tmp/ship.b64
      while read -r chunk; do
        [ -n "$chunk" ] || continue
        echo "GBA B $copy $name $n $chunk"
        n=$((n + 1))
        usleep $PACE
      done < /tmp/ship.b64
      echo "GBA E $copy $name $n"
      usleep $PACE
    done
  done
}

# The modules cached in the initramfs are a subset: depmod indexes them here, before udev loads any.
t0=$(now)
/usr/sbin/depmod -a
say STEP depmod rc $? secs "$(since "$t0")"

t0=$(now)
/usr/lib/systemd/systemd-udevd --daemon --resolve-names=never
/usr/bin/udevadm trigger --action=add --type=subsystems
/usr/bin/udevadm trigger --action=add --type=devices
/usr/bin/udevadm settle --timeout=60
say STEP udev rc $? secs "$(since "$t0")"

# finish: ship everything in $OUT and the kernel log, then power off (QEMU exits; Hercules enters a wait state).
finish() {
  # The kernel's lines about the devices only: every shipped line costs time under emulation.
  dmesg | grep -E 'qeth|ccw|cio|enc[0-9a-f]|eth[0-9]|MAC|virtio' > $OUT/dmesg.txt
  ship $(ls $OUT/* | grep -v -e '\.rc$' -e '\.secs$')
  say DONE
  say DONE
  sleep 1
  poweroff -f
}
