using System.Globalization;

namespace Kiln.Api.Chain;

/// <summary>Exit codes (go-state-types exitcode/reserved.go and common.go) and the names Lotus prints for them.</summary>
public static class ExitCodes
{
    /// <summary>Success.</summary>
    public const long Ok = 0;
    /// <summary>The sender does not exist or is not an account.</summary>
    public const long SysErrSenderInvalid = 1;
    /// <summary>The sender's nonce or balance did not allow the message.</summary>
    public const long SysErrSenderStateInvalid = 2;
    /// <summary>The receiver's code executed an illegal instruction.</summary>
    public const long SysErrIllegalInstruction = 4;
    /// <summary>The receiver does not exist and cannot be created.</summary>
    public const long SysErrInvalidReceiver = 5;
    /// <summary>The sender cannot pay the value it sends.</summary>
    public const long SysErrInsufficientFunds = 6;
    /// <summary>The message ran out of gas.</summary>
    public const long SysErrOutOfGas = 7;
    /// <summary>The actor refused the params (an invalid sector, a bad proof, an epoch out of range).</summary>
    public const long ErrIllegalArgument = 16;
    /// <summary>A state the method needs does not exist (a sector without a precommit).</summary>
    public const long ErrNotFound = 17;
    /// <summary>The caller may not call this method (not the worker or a control address).</summary>
    public const long ErrForbidden = 18;
    /// <summary>The miner actor cannot lock the deposit or pledge.</summary>
    public const long ErrInsufficientFunds = 19;
    /// <summary>The actor's state does not allow the call.</summary>
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
