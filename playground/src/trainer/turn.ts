/**
 * Yields one event-loop turn of a Worker without setTimeout's 4 ms clamp: the training loops run slices of steps
 * and yield between them, so messages (pause, new settings) arrive at once and the browser frees dropped tensors.
 */
const channel = new MessageChannel();

export const turn = (): Promise<void> => new Promise<void>((resolve) => ((channel.port1.onmessage = () => resolve()), channel.port2.postMessage(0)));
