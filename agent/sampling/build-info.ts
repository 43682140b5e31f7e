/**
 * When this build was made, epoch ms UTC. A wall clock earlier than this cannot be right (a Pi without
 * RTC boots with its last saved time or 1970), so samples are held until the clock passes it.
 * Update on release; the clock guard also refuses times before the newest stored sample.
 */
export const BUILD_DATE_MS = Date.UTC(2026, 10, 1); // 2026-11-01T00:00:00Z
