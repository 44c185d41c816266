using System.CommandLine;
using System.CommandLine.Parsing;
using System.Reflection;

namespace Kiln.Worker.Cli;

/// <summary>
/// urfave/cli v2 flag behaviour on System.CommandLine: Go's <c>strconv.ParseBool</c> for bool values, and bool flags
/// that take a value only as <c>--flag=value</c> (Go's flag package reads <c>--flag false</c> as <c>--flag</c> followed by
/// the argument <c>false</c>, which would turn the flag on).
/// </summary>
internal static class GoFlags
{
    /// <summary>System.CommandLine's token position (internal): the index of the command-line argument a token came from.</summary>
    private static readonly PropertyInfo? TokenPosition = typeof(Token).GetProperty("Position", BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public);

    /// <summary>Go <c>strconv.ParseBool</c>: 1, t, T, TRUE, true, True, 0, f, F, FALSE, false, False.</summary>
    public static bool TryParseBool(string text, out bool value)
    {
        switch (text)
        {
            case "1" or "t" or "T" or "TRUE" or "true" or "True":
                value = true;
                return true;
            case "0" or "f" or "F" or "FALSE" or "false" or "False":
                value = false;
                return true;
            default:
                value = false;
                return false;
        }
    }

    /// <summary>
    /// A bool flag as urfave's BoolFlag: bare is true, <c>--name=value</c> takes a Go bool, <c>--name value</c> is refused.
    /// Its value type is a string (System.CommandLine's bool options take only true/false): read it with <see cref="GetBool"/>.
    /// </summary>
    public static Option<string?> Bool(string name, string description, params string[] aliases)
    {
        var option = new Option<string?>(name, aliases)
        {
            Description = description,
            Arity = ArgumentArity.ZeroOrOne,
            HelpName = "true|false",
            CustomParser = result =>
            {
                if (result.Tokens.Count == 0)
                {
                    return "true";
                }

                var text = result.Tokens[0].Value;
                if (TryParseBool(text, out var v))
                {
                    return v ? "true" : "false";
                }

                result.AddError($"invalid boolean value \"{text}\" for {name}: expected true or false (also 1, 0, t, f)");
                return null;
            },
        };
        option.Validators.Add(result =>
        {
            if (result.Tokens.Count == 1 && result.IdentifierToken is { } flag && Position(result.Tokens[0]) is { } valueAt && Position(flag) is { } flagAt && valueAt != flagAt)
            {
                var value = result.Tokens[0].Value;
                result.AddError($"{flag.Value} {value}: a bool flag takes its value as {flag.Value}={value} (lotus-worker reads '{flag.Value} {value}' as {flag.Value}, i.e. true, followed by a stray argument '{value}')");
            }
        });
        return option;
    }

    /// <summary>True when the flag is on the command line (not a default).</summary>
    public static bool IsGiven(ParseResult parse, Option<string?> option) => parse.GetResult(option) is { Implicit: false };

    /// <summary>The value of a <see cref="Bool"/> flag given on the command line (bare is true); <paramref name="absent"/> when it is not there.</summary>
    public static bool GetBool(ParseResult parse, Option<string?> option, bool absent = false) =>
        IsGiven(parse, option) ? parse.GetValue(option) is not "false" : absent;

    /// <summary>The argument index a token was read from, or null where this System.CommandLine does not say.</summary>
    private static int? Position(Token token) => TokenPosition?.GetValue(token) as int?;
}
