#!/bin/sh
# /init of the QEMU boot (item 2 of issue 12): Debian's s390x kernel with virtio-ccw devices, some hidden by
# cio_ignore=, and NIC entries on the kernel command line. The host test reads the "GBA" lines.
. /gba/guest-lib.sh

# ccw-sysfs NAME: what the kernel itself says about each ccw device, to compare with `show --json`.
ccw_sysfs() {
  for dev in /sys/bus/ccw/devices/*; do
    [ -e "$dev" ] || continue
    echo "${dev##*/} $(cat "$dev/cutype") $(cat "$dev/devtype") $(cat "$dev/online")"
  done > "$OUT/$1"
}

say BOOT qemu "$(uname -r)" "$(uname -m)"
step node-version /usr/bin/node --version
step node-e0 /usr/bin/node -e 0
step version /usr/bin/node $GBA --version
cat /proc/cio_ignore > $OUT/cio-before.txt
ccw_sysfs ccw-before.txt
step show /usr/bin/node $GBA show --json
ls /sys/bus/ccwgroup/drivers > $OUT/ccwgroup-before.txt 2>&1

# While qeth runs, record which ccw devices exist (the freed ones appear, then may be hidden again).
# Only changes are written: the loop runs under emulation beside the agent.
(
  last=
  while [ ! -e /tmp/stop-watch ]; do
    seen=$(echo /sys/bus/ccw/devices/*)
    [ "$seen" = "$last" ] || echo "$(now) ${seen//\/sys\/bus\/ccw\/devices\//}"
    last=$seen
    usleep 100000
  done
) > $OUT/ccw-watch.txt &
step qeth /usr/bin/node $GBA qeth --json
touch /tmp/stop-watch
wait
ls /sys/bus/ccwgroup/drivers/qeth > $OUT/qeth-driver-after.txt 2>&1
cat /proc/cio_ignore > $OUT/cio-after.txt
ccw_sysfs ccw-after.txt
/usr/sbin/ip -o link > $OUT/links.txt
cat /sys/class/net/enc600/address > $OUT/enc600-mac-before.txt 2>&1
step setmac /usr/bin/node $GBA setmac enc600 --json
cat /sys/class/net/enc600/address > $OUT/enc600-mac-after.txt 2>&1
finish
