// How long one `ip` (iproute2) run may take: it talks netlink to the local kernel and answers in milliseconds,
// so 10 s only catches a hung process. The one definition for every plan that runs `ip`.
export const IP_TIMEOUT_MS = 10_000;
