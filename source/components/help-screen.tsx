import {Box, Text} from 'ink';
import type {Binding} from '../keymap.js';

type Props = {readonly bindings: readonly Binding[]};

/** The keys, drawn from the keymap table, and what the columns mean. */
export function HelpScreen({bindings}: Props) {
	return (
		<Box flexDirection="column" borderStyle="round" paddingX={1}>
			<Text bold>Keys</Text>
			{bindings.map(binding => (
				<Text key={binding.label}>{`${binding.label.padEnd(8)} ${binding.description}`}</Text>
			))}
			<Text> </Text>
			<Text>LIVE: bytes the site's allocations still hold (sampled estimate). GROWTH: slope of the site's lower</Text>
			<Text>envelope over the window, so spikes do not count. ▲ marks a suspect: its floor rose steadily.</Text>
			<Text>Sites are functions, located at the function's start; inlined functions count in their caller.</Text>
		</Box>
	);
}
