import type { Config } from '../config/types';
import type { Db } from '../store/database';
import { FileStore } from './FileStore';
import { ProcessGraphStore } from './ProcessGraphStore';

export type { UserProcess } from './userProcessDocument';
export type { WorkspaceFile } from './FileStore';

/** The user workspace: uploaded files and user-defined processes. */
export interface Workspace {
  files: FileStore;
  processGraphs: ProcessGraphStore;
}

export function createWorkspace(config: Config, db: Db): Workspace {
  return { files: new FileStore(config), processGraphs: new ProcessGraphStore(db) };
}
