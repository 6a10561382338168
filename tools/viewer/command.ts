/** `exoarmur viewer embed BUNDLE`: (re)writes BUNDLE/index.html, the viewer with the bundle embedded. */
import type { Argv, CommandModule } from 'yargs';
import { writeViewerHtml } from './embed.js';

interface EmbedArgs {
  bundle: string;
}

const embed: CommandModule<object, EmbedArgs> = {
  command: 'embed <bundle>',
  describe: 'write BUNDLE/index.html: the evidence viewer with the bundle embedded, openable from disk',
  builder: (y: Argv) => y.positional('bundle', { type: 'string', demandOption: true, describe: 'bundle directory (artifacts/<run_id>/)' }) as Argv<EmbedArgs>,
  handler: async (args) => {
    const written = await writeViewerHtml(args.bundle);
    process.stdout.write(`${written}\n`);
  },
};

export const viewerCommand: CommandModule<object, object> = {
  command: 'viewer <command>',
  describe: 'evidence viewer tools',
  builder: (y: Argv) => y.command(embed).demandCommand(1, 'Name a viewer subcommand: `exoarmur viewer embed BUNDLE`.'),
  handler: () => undefined,
};
