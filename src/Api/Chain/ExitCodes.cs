using System.Globalization;

namespace Kiln.Api.Chain;

/// <summary>Exit codes (go-state-types exitcode/reserved.go and common.go) and the names Lotus prints for them.</summary>
public static class ExitCodes
{
    public const long Ok = 0;
    public const long SysErrSenderInvalid = 1;
    public const long SysErrSenderStateInvalid = 2;
    public const long SysErrIllegalInstruction = 4;
    public const long SysErrInvalidReceiver = 5;
    public const long SysErrInsufficientFunds = 6;
    public const long SysErrOutOfGas = 7;
    public const long ErrIllegalArgument = 16;
    public const long ErrNotFound = 17;
    public const long ErrForbidden = 18;
    public const long ErrInsufficientFunds = 19;
    public const long ErrIllegalState = 20;

    // go-state-types exitcode/names.go: the names map (SysErrFatal prints as "SysFatal").
    private static readonly Dictionary<long, string> Names = new()
    {
        [0] = "Ok",
        [1] = "SysErrSenderInvalid",
        [2] = "SysErrSenderStateInvalid",
        [3] = "SysErrReserved1",
        [4] = "SysErrIllegalInstruction",
        [5] = "SysErrInvalidReceiver",
        [6] = "SysErrInsufficientFunds",
        [7] = "SysErrOutOfGas",
        [8] = "SysErrReserved2",
        [9] = "SysErrIllegalExitCode",
        [10] = "SysFatal",
        [11] = "SysErrMissingReturn",
        [12] = "SysErrReserved3",
        [13] = "SysErrReserved4",
        [14] = "SysErrReserved5",
        [15] = "SysErrReserved6",
        [16] = "ErrIllegalArgument",
        [17] = "ErrNotFound",
        [18] = "ErrForbidden",
        [19] = "ErrInsufficientFunds",
        [20] = "ErrIllegalState",
        [21] = "ErrSerialization",
        [22] = "ErrUnhandledMessage",
        [23] = "ErrUnspecified",
        [24] = "ErrAssertionFailed",
        [25] = "ErrReadOnly",
        [26] = "ErrNotPayable",
    };

    /// <summary>
    /// go-state-types <c>ExitCode.String()</c>, as Lotus prints a receipt's code: "SysErrOutOfGas(7)" for a named
    /// code, the bare number ("33") for an actor-specific one.
    /// </summary>
    public static string Describe(long code) =>
        Names.TryGetValue(code, out var name)
            ? $"{name}({code.ToString(CultureInfo.InvariantCulture)})"
            : code.ToString(CultureInfo.InvariantCulture);
}
