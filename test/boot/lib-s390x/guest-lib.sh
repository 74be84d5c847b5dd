# Sourced by each boot's /init (busybox sh, PID 1 in the s390x guest). Not part of the agent: the harness.
# Real programs are always called by path: a busybox applet of the same name must never stand in for them.
# Outputs go to $OUT and, at the end, as one tar onto the results disk (ccw 0.0.0100: an FBA DASD under
# Hercules, virtio-blk under QEMU) that the host reads back. The console carries only short "GBA …" lines, paced:
# Hercules' 3215 console drops pieces of long, bursty lines and mangles [ ] | ^.
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

# record NAME RC SECS: a step's exit and time, in $OUT/NAME.rc and .secs (the disk) and on the console.
record() {
  echo "$2" > "$OUT/$1.rc"
  echo "$3" > "$OUT/$1.secs"
  say STEP "$1" rc "$2" secs "$3"
}

# step NAME COMMAND…: runs it with stdout/stderr in $OUT/NAME.out/.err, and records its exit and time.
step() {
  name=$1
  shift
  t0=$(now)
  "$@" > "$OUT/$name.out" 2> "$OUT/$name.err"
  rc=$?
  record "$name" "$rc" "$(since "$t0")"
}

# The modules cached in the initramfs are a subset: depmod indexes them here, before udev loads any.
t0=$(now)
/usr/sbin/depmod -a
record depmod $? "$(since "$t0")"

t0=$(now)
/usr/lib/systemd/systemd-udevd --daemon --resolve-names=never
/usr/bin/udevadm trigger --action=add --type=subsystems
/usr/bin/udevadm trigger --action=add --type=devices
/usr/bin/udevadm settle --timeout=60
record udev $? "$(since "$t0")"

# results_device: the results disk's block device (/dev/dasda, /dev/vda …) once its driver has it, after
# loading the driver and setting the ccw device online; empty after 60 s without it.
RESULTS_BUS=/sys/bus/ccw/devices/0.0.0100
results_device() {
  /usr/sbin/modprobe -a dasd_fba_mod virtio_blk
  [ "$(cat $RESULTS_BUS/online 2> /dev/null)" = 1 ] || echo 1 > $RESULTS_BUS/online
  i=0
  while [ $i -lt 600 ]; do
    for block in $RESULTS_BUS/block/* $RESULTS_BUS/virtio*/block/*; do
      [ -e "$block" ] && [ -b "/dev/${block##*/}" ] && echo "/dev/${block##*/}" && return 0
    done
    usleep 100000
    i=$((i + 1))
  done
  return 1
}

# write_results: $OUT as one tar at block 0 of the results disk, flushed; says its length and md5 so the host
# knows the disk holds this boot's tar, whole.
write_results() {
  (cd $OUT && tar -cf /tmp/results.tar *)
  bytes=$(wc -c < /tmp/results.tar)
  md5=$(md5sum /tmp/results.tar)
  dev=$(results_device)
  if [ -z "$dev" ]; then
    say RESULTS NO-DISK at $RESULTS_BUS
    rc=3
  else
    dd if=/tmp/results.tar of="$dev" bs=4096 conv=fsync 2> /tmp/dd.err
    rc=$?
    sync
    say RESULTS-DEVICE "$dev"
  fi
  say RESULTS bytes $bytes md5 ${md5%% *} rc $rc
}

# finish: the kernel log into $OUT, everything onto the results disk, then power off (QEMU exits; Hercules
# enters a wait state).
finish() {
  # The kernel's lines about the devices only.
  dmesg | grep -E 'qeth|ccw|cio|dasd|enc[0-9a-f]|eth[0-9]|MAC|virtio' > $OUT/dmesg.txt
  write_results
  say DONE
  say DONE
  sleep 1
  poweroff -f
}
