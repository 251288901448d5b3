import type { TileRenderer } from './types';

/** A renderer that finds no data anywhere: every tile is transparent, no dates. Stands in where no real renderer is wired. */
export const noDataRenderer: TileRenderer = {
  render: async () => null,
  dates: async () => [],
};
