// The version /health reports: the package's, bundled in by esbuild (one source of truth).
import pkg from '../../package.json';

export const SERVER_VERSION: string = pkg.version;
