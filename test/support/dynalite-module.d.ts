/** Minimal typing of `dynalite` (ships none): the factory returns an unstarted `http.Server`. */
declare module 'dynalite' {
  import type { Server } from 'node:http';
  export default function dynalite(options?: { path?: string; createTableMs?: number; deleteTableMs?: number; updateTableMs?: number; ssl?: boolean }): Server;
}
