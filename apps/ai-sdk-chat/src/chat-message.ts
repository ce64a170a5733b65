import type { UIMessage } from 'ai';

/**
 * The route of one answer as `createSwitchyard` reports it in `providerMetadata.switchyard` (the fields the page
 * shows; see `@switchyard/ai-sdk`'s README for all of them).
 */
export interface ChatRoute {
  /** The target that answered. */
  target?: string;
  locality?: 'local' | 'remote';
  /** The planned order: primary first, then fallbacks. */
  plan?: string[];
  /** Every target the router left out, with its reason code and a sentence. */
  excluded?: Array<{ target: string; reason: string; detail?: string }>;
  /** `private`: the prompt could only run on local targets; `detected`: personal-data kinds found in it. */
  privacy?: { private: boolean; detected: string[] };
  /** How many times the router moved to another target. */
  fallbacks?: number;
  attempts?: Array<{ target: string; outcome: string; error?: { code: string; message: string } }>;
  costUsd?: number;
  ttftMs?: number;
}

/** What the server attaches to each assistant message (`messageMetadata`): its route, once the step finished. */
export interface ChatMessageMetadata {
  route?: ChatRoute;
}

/** The chat's UI message: the AI SDK's `UIMessage` with the route as metadata. */
export type ChatMessage = UIMessage<ChatMessageMetadata>;

/** The body the page posts to `/api/chat`: the AI SDK's `DefaultChatTransport` fields plus `private`. */
export interface ChatRequestBody {
  messages: ChatMessage[];
  /** The page's "private" switch: the answer may only come from a local target. */
  private?: boolean;
}
