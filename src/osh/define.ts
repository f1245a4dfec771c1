// The one declaration a plugin makes: its name, category (its permission tier), texts, options and
// handler. The framework derives the option parser, the --help text, the docs page and the
// handler's option types from it.
import type { Category } from '../policy/roles.js';
import type { Result } from '../kernel/result.js';

/** What a plugin answers: a success with its value, or a refusal (which may show what it refused). */
export type PluginResult = Result<unknown, unknown>;
import type { PluginContext } from './context.js';

// The tiers live with the rule that reads them (access/roles); a plugin finds them here.
export { CATEGORIES, type Category } from '../policy/roles.js';

interface OptionBase {
  /** One line for --help and the docs. */
  readonly description: string;
  /** Other names, without dashes (`['a']` for `-a`). */
  readonly alias?: readonly string[];
  /** Redacted from the audit trail and logs. */
  readonly secret?: boolean;
  /**
   * The options this one can't be given with, each with its ERR_INCOMPATIBLE_PARAMETERS message
   * (`{ 'uid-auto': "Can't use --uid and --uid-auto at the same time" }`). Declared on one of the
   * two; --help and the docs show it on both.
   */
  readonly conflicts?: Readonly<Record<string, string>>;
}

/** A value's shape as a regular expression, with words for --help, the docs and the refusal. */
export interface OptionPattern {
  /** Tested against the whole value: anchor it (`^…$`). */
  readonly regex: RegExp;
  /** What it accepts, completing "must be …": "letters, digits, '.', '_' or '-'". */
  readonly accepts: string;
}

/**
 * The code a value refused by `choices`, `pattern`, `min` or `max` is reported with. The Bastion
 * itself uses both for the same kind of check depending on the plugin (KO_ from is_valid_*
 * helpers, ERR_ from plugin bodies), and scripts match on it: a plugin keeps the one it returns.
 */
export type InvalidValueCode = 'ERR_INVALID_PARAMETER' | 'KO_INVALID_PARAMETER';

interface ValueChecks {
  /** Default ERR_INVALID_PARAMETER. */
  readonly invalidCode?: InvalidValueCode;
  /**
   * The refusal's message when `choices`, `pattern`, `min` or `max` refuse the value, instead of
   * the generated `Value of --NAME must …, not 'VALUE'`: for a plugin whose scripts know its own
   * words. A function gets the refused value.
   */
  readonly invalidMessage?: string | ((value: string) => string);
}

/** Whether the option must be given, and how its absence is reported. */
interface Presence {
  readonly required?: boolean;
  /**
   * With `required`: the ERR_MISSING_PARAMETER message, instead of `Missing mandatory parameter
   * --NAME`. The Bastion's plugins each word it their own way, and several options of one plugin
   * often share one message ("Missing mandatory parameter 'account' or 'group'").
   */
  readonly missingMessage?: string;
}
export interface StringOption extends OptionBase, ValueChecks, Presence {
  readonly type: 'string';
  /**
   * An empty value counts as absent (The Bastion's `if (!$group)` tests): the default applies,
   * or, with `required`, the option is missing.
   */
  readonly emptyIsMissing?: boolean;
  /** The closed list of values accepted (case-sensitive). */
  readonly choices?: readonly string[];
  readonly pattern?: OptionPattern;
  /** The value the handler sees when the option is absent (checked like a given value). */
  readonly default?: string;
  /** Shown in help, e.g. ACCOUNT. */
  readonly valueName?: string;
  /**
   * Bare words left over after parsing are appended to this option's value, space-separated.
   * The Bastion does this for --public-key: OpenSSH sends `--public-key "ssh-ed25519 AAAA… c"`
   * as separate words, and scripts rely on it working with one level of quoting.
   */
  readonly gluesStrayWords?: boolean;
}
export interface IntegerOption extends OptionBase, ValueChecks, Presence {
  readonly type: 'integer';
  readonly min?: number;
  readonly max?: number;
  /** The value the handler sees when the option is absent (checked like a given value). */
  readonly default?: number;
  readonly valueName?: string;
}
export interface BooleanOption extends OptionBase {
  readonly type: 'boolean';
}
export interface ListOption extends OptionBase, ValueChecks, Presence {
  /** May be given several times; every value is kept, in order. */
  readonly type: 'list';
  /** Each value must be one of these. */
  readonly choices?: readonly string[];
  /** Each value must match. */
  readonly pattern?: OptionPattern;
  readonly valueName?: string;
}
export type OptionDecl = StringOption | IntegerOption | BooleanOption | ListOption;
export type OptionDecls = Readonly<Record<string, OptionDecl>>;

type ValueOf<D extends OptionDecl> = D extends BooleanOption
  ? boolean
  : D extends ListOption
    ? string[]
    : D extends IntegerOption
      ? D['required'] extends true
        ? number
        : D['default'] extends number
          ? number
          : number | undefined
      : D extends StringOption
        ? D['required'] extends true
          ? Narrowed<D>
          : D['default'] extends string
            ? Narrowed<D>
            : Narrowed<D> | undefined
        : never;

/** A string option with `choices` is typed as the union of them. */
type Narrowed<D extends StringOption> = D['choices'] extends readonly (infer C extends string)[] ? C : string;

export type ParsedOptions<O extends OptionDecls> = { readonly [K in keyof O]: ValueOf<O[K]> };

export interface PluginDefinition<O extends OptionDecls = OptionDecls> {
  readonly name: string;
  readonly category: Category;
  /** One line: what the plugin does (help listing, docs). */
  readonly summary: string;
  /** The header title printed above the output (The Bastion's `header`). Defaults to the summary. */
  readonly header?: string;
  /** Longer usage text, printed by `--help` after the generated option list. */
  readonly help?: string;
  readonly options: O;
  /** Lines for the docs page and --help: example invocations after `--osh NAME`. */
  readonly examples?: readonly string[];
  /** Where Gatehouse differs from The Bastion for this plugin, for the docs page. */
  readonly differences?: readonly string[];
  readonly handler: (ctx: PluginContext, opts: ParsedOptions<O>) => Promise<PluginResult> | PluginResult;
}

/** Declares a plugin. The identity function exists for the types: options are inferred once. */
export function definePlugin<const O extends OptionDecls>(def: PluginDefinition<O>): PluginDefinition<O> {
  return def;
}

// A plugin as the registry holds it, options erased.
export type AnyPlugin = PluginDefinition<OptionDecls>;
