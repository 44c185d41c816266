using Kiln.Api.Chain;

namespace Kiln.Api.Tests.Chain;

/// <summary>go-state-types exitcode <c>ExitCode.String()</c>: "Name(code)" for the names in names.go, else the number.</summary>
public sealed class ExitCodesTests
{
    [Theory]
    [InlineData(0L, "Ok(0)")]
    [InlineData(6L, "SysErrInsufficientFunds(6)")]
    [InlineData(7L, "SysErrOutOfGas(7)")]
    [InlineData(3L, "SysErrReserved1(3)")]
    [InlineData(10L, "SysFatal(10)")]
    [InlineData(16L, "ErrIllegalArgument(16)")]
    [InlineData(19L, "ErrInsufficientFunds(19)")]
    [InlineData(26L, "ErrNotPayable(26)")]
    [InlineData(27L, "27")]
    [InlineData(33L, "33")]
    [InlineData(-1L, "-1")]
    public void Describe_prints_as_lotus(long code, string text) => Assert.Equal(text, ExitCodes.Describe(code));
}
