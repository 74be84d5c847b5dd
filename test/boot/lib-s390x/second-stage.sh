#!/gba/busybox sh
# /init of the one qemu-system-s390x boot that finishes the s390x systemd root (systemd-root.ts): the whole
# root is the initramfs, `debootstrap --second-stage` runs in it as PID 1's child, and the finished root goes
# back to the host as a tar on the virtio-blk disk at 0.0.0100. Busybox (from the cached guest) runs this
# script only: everything the second stage does uses the root's own programs.
B=/gba/busybox
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
# debootstrap --foreign leaves /proc a link to the host's /proc.
[ -L /proc ] && $B rm /proc
$B mkdir -p /proc
$B mount -t proc proc /proc
$B mount -t sysfs sysfs /sys
$B mount -t devtmpfs devtmpfs /dev
$B mkdir -p /dev/pts /run /tmp
$B mount -t devpts devpts /dev/pts
$B mount -t tmpfs tmpfs /run
echo "GBA STAGE2 start $($B uname -r)"

/debootstrap/debootstrap --second-stage > /tmp/stage2.log 2>&1
rc=$?
$B tail -n 40 /tmp/stage2.log
# On a failure, dpkg's own words (the second stage's log says only which package it suspects).
[ $rc -eq 0 ] || $B grep -i -B 3 -A 12 'dpkg: \|error' /debootstrap/debootstrap.log | $B tail -n 120
if [ $rc -eq 0 ]; then
  # The cached guest kernel's modules were copied in on the host: index them with the root's depmod.
  /usr/sbin/depmod -a "$($B uname -r)"
  # No package lists or .debs in the cache: nobody reads them, every boot would load them into memory.
  /usr/bin/apt-get clean
  $B rm -rf /var/lib/apt/lists/* /usr/share/doc/* /usr/share/man/* /usr/share/locale/* /usr/share/info/*
fi

tar_rc=1
if [ $rc -eq 0 ]; then
  /usr/sbin/modprobe virtio_blk
  i=0
  while [ ! -b /dev/vda ] && [ $i -lt 300 ]; do
    $B usleep 100000
    i=$((i + 1))
  done
  # The rootfs only (proc, sys, dev, run are other file systems); not this script and its busybox.
  /usr/bin/tar --create --file=/dev/vda --numeric-owner --xattrs --xattrs-include='*' --one-file-system \
    --exclude=./gba --exclude=./init -C / .
  tar_rc=$?
  $B sync
fi
echo "GBA STAGE2 rc $rc tar $tar_rc"
$B sleep 1
$B poweroff -f
