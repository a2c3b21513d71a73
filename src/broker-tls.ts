import type { AmqpServer } from './amqp/server.js';
import { loadTlsSync, tlsPaths, TlsFilesError, type LoadedTls, type TlsPaths } from './amqp/tls-context.js';
import { TlsEndpoint } from './amqp/tls-endpoint.js';
import type { Config } from './config/load.js';
import { StartupError } from './errors/startup.js';
import type { Logger } from './util/logger.js';

type TlsFiles = { readonly paths: TlsPaths; readonly loaded: LoadedTls } | undefined;

/** The amqps part of start-up: files read before anything else starts, listeners after the plain ones. */
export const startTls = {
  /** Reads the TLS files when tlsPort is set; a missing, unreadable or unusable one is a configuration error (exit 2). */
  load(config: Config): TlsFiles {
    const paths = tlsPaths(config);
    if (paths === undefined) return undefined;
    try {
      return { paths, loaded: loadTlsSync(paths) };
    } catch (err) {
      if (err instanceof TlsFilesError) throw new StartupError('config', err.message, { cause: err });
      throw err;
    }
  },

  endpoint(config: Config, files: TlsFiles, logger: Logger): TlsEndpoint | undefined {
    return files === undefined ? undefined : new TlsEndpoint(config, files.paths, files.loaded, logger);
  },

  /** Opens the amqps listeners and starts watching the files; the port they listen on, or undefined without TLS. */
  async listen(server: AmqpServer, config: Config, tls: TlsEndpoint | undefined): Promise<number | undefined> {
    if (tls === undefined || config.tlsPort === null) return undefined;
    const port = await server.listenTls(config.tlsPort, config.bind, tls);
    tls.watch();
    return port;
  },
};
