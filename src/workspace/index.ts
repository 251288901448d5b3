import type { Config } from '../config/types';
import type { ServerContext } from '../context';
import type { Db } from '../store/database';
import { FileStore } from './FileStore';
import { ProcessGraphStore } from './ProcessGraphStore';
import { parseWorkspacePath } from './paths';
import type { UserProcess } from './userProcessDocument';

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

/**
 * The absolute path of a file in a user's workspace, for processes such as
 * load_uploaded_files or load_geojson. `filePath` is what the user wrote, e.g.
 * `borders/europe.geojson`. Throws FilePathInvalid for unsafe paths, FileNotFound when
 * there is no such file and FileOperationUnsupported for folders. Open the result promptly.
 */
export async function resolveUserFile(ctx: ServerContext, user: { id: string }, filePath: string): Promise<string> {
  return ctx.workspace.files.resolveExisting(user.id, parseWorkspacePath(filePath));
}

/** A user's stored process with its graph (for calling it from other graphs), or undefined. */
export function findUserProcess(ctx: ServerContext, userId: string, id: string): UserProcess | undefined {
  return ctx.workspace.processGraphs.find(userId, id);
}
