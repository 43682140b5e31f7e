/**
 * How long the snapshot bucket keeps what a put replaced. Plain constants (no CDK import), so the
 * cost bench prices the same figure the stack deploys.
 */

/**
 * Days a noncurrent version of a snapshot object is kept (the stack's `noncurrentVersionDays`
 * default). Nothing reads old versions: a window object holds one version of each snapshot, and the
 * API serves only the current one. They are kept one day to put back a window object by hand after a
 * bad build (`aws s3api get-object --version-id …`); every build's put adds one (≈ 25–220 kB), so the
 * days kept are most of the bucket's storage.
 */
export const NONCURRENT_VERSION_DAYS = 1;
