import type { Db } from '../../store/database';
import { migrate } from '../../store/database';
import type { DescribedProduct } from './types';

const MIGRATIONS = [
  `CREATE TABLE catalog_products (
     location TEXT PRIMARY KEY,
     fingerprint TEXT NOT NULL,
     format INTEGER NOT NULL,
     result TEXT NOT NULL
   )`,
];

/** Version of what a product description holds; bump it when the parsers read more or otherwise. */
const PRODUCT_FORMAT = 1;

export type ProductResult = DescribedProduct | { error: string };

/**
 * What was read from each product (or why it could not be), keyed by its location and the
 * names, sizes and times of its files: a restart or rescan opens only new or changed products,
 * and a broken product is reported once.
 */
export class ProductCache {
  private readonly memory = new Map<string, { print: string; result: ProductResult }>();
  private readonly select;
  private readonly upsert;
  private readonly remove;
  private readonly below;

  constructor(db: Db) {
    migrate(db, 'catalog_products', MIGRATIONS);
    this.select = db.prepare('SELECT fingerprint, format, result FROM catalog_products WHERE location = ?');
    this.upsert = db.prepare(
      `INSERT INTO catalog_products (location, fingerprint, format, result) VALUES (?, ?, ?, ?)
       ON CONFLICT(location) DO UPDATE SET fingerprint = excluded.fingerprint, format = excluded.format, result = excluded.result`,
    );
    this.remove = db.prepare('DELETE FROM catalog_products WHERE location = ?');
    this.below = db.prepare("SELECT location FROM catalog_products WHERE substr(location, 1, length(?)) = ?");
  }

  get(location: string, print: string): ProductResult | undefined {
    const known = this.memory.get(location);
    if (known?.print === print) return known.result;
    const row = this.select.get(location) as { fingerprint: string; format: number; result: string } | undefined;
    if (!row || row.fingerprint !== print || row.format !== PRODUCT_FORMAT) return undefined;
    const result = JSON.parse(row.result) as ProductResult;
    this.memory.set(location, { print, result });
    return result;
  }

  put(location: string, print: string, result: ProductResult): void {
    this.memory.set(location, { print, result });
    this.upsert.run(location, print, PRODUCT_FORMAT, JSON.stringify(result));
  }

  /** Forgets the products below `folder` that are no longer there. */
  prune(folder: string, present: Set<string>): void {
    const prefix = folder.endsWith('/') ? folder : `${folder}/`;
    for (const { location } of this.below.all(prefix, prefix) as Array<{ location: string }>) {
      if (present.has(location)) continue;
      this.memory.delete(location);
      this.remove.run(location);
    }
  }
}
