import gdal from 'gdal-async';
import request from 'supertest';
import type { Express } from 'express';
import type { RenderableService, TileRenderer, TileView } from '../../src/services/types';

/** A graph every server can validate and run, without any collection. */
export const SIMPLE_PROCESS = { process_graph: { sum: { process_id: 'add', arguments: { x: 1, y: 2 }, result: true } } };

/** Deletes every service of a user, so a test starts below services.maxPerUser. */
export async function removeServices(app: Express, auth: string): Promise<void> {
  const res = await request(app).get('/services').set('Authorization', auth);
  for (const s of res.body.services) await request(app).delete(`/services/${s.id}`).set('Authorization', auth).expect(204);
}

/** A 256² PNG of one opaque colour, made with GDAL like a real tile. */
export function solidPng(red: number): Buffer {
  const mem = gdal.open('solid', 'w', 'MEM', 256, 256, 4, gdal.GDT_Byte);
  mem.bands.get(1).fill(red);
  mem.bands.get(4).fill(255);
  const file = `/vsimem/solid-${red}-${Math.random()}.png`;
  gdal.drivers.get('PNG').createCopy(file, mem).close();
  mem.close();
  return gdal.vsimem.release(file);
}

/** A decoded PNG: its size and one byte plane per band (the last is alpha for RGBA). */
export interface Picture {
  width: number;
  height: number;
  bands: number;
  planes: Uint8Array[];
}

/** Decodes a PNG with GDAL, as a map client's image decoder would. */
export function readPng(png: Buffer): Picture {
  const file = `/vsimem/read-${Math.random()}.png`;
  gdal.vsimem.set(png, file);
  const ds = gdal.open(file);
  try {
    const { x: width, y: height } = ds.rasterSize;
    const planes = Array.from({ length: ds.bands.count() }, (_, k) => ds.bands.get(k + 1).pixels.read(0, 0, width, height) as Uint8Array);
    return { width, height, bands: planes.length, planes };
  } finally {
    ds.close();
    gdal.vsimem.release(file);
  }
}

/** The size and alpha plane of a PNG. */
export function pngPixels(png: Buffer): { width: number; height: number; bands: number; alpha: Uint8Array } {
  const { width, height, bands, planes } = readPng(png);
  return { width, height, bands, alpha: planes[planes.length - 1] };
}

/**
 * A tile renderer for the service machinery's tests (the real one lives in services/render):
 * solid tiles, fixed dates, and a switch that makes renders wait until released or aborted,
 * so queueing, timeouts and disconnects can be watched.
 */
export class ProbeRenderer implements TileRenderer {
  renders: Array<{ service: RenderableService; view: TileView; signal: AbortSignal }> = [];
  running = 0;
  mostRunning = 0;
  hold = false;
  failWith?: Error;
  private releases: Array<() => void> = [];

  constructor(public dateList: string[] = []) {}

  async render(service: RenderableService, view: TileView, signal: AbortSignal): Promise<Buffer | null> {
    this.renders.push({ service, view, signal });
    this.running++;
    this.mostRunning = Math.max(this.mostRunning, this.running);
    try {
      if (this.hold) {
        await new Promise<void>((resolve, reject) => {
          this.releases.push(resolve);
          signal.addEventListener('abort', () => reject(signal.reason), { once: true });
        });
      }
      if (this.failWith) throw this.failWith;
      return view.time === 'none' ? null : solidPng(this.renders.length % 256);
    } finally {
      this.running--;
    }
  }

  async dates(): Promise<string[]> {
    return this.dateList;
  }

  release(): void {
    this.hold = false;
    for (const release of this.releases.splice(0)) release();
  }
}
