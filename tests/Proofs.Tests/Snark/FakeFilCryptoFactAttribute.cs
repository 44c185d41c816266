namespace Kiln.Proofs.Tests.Snark;

/// <summary>A fact that needs the fake libfilcrypto; skipped, with the reason, only where no C compiler exists.</summary>
public sealed class FakeFilCryptoFactAttribute : FactAttribute
{
    public FakeFilCryptoFactAttribute()
    {
        if (FakeFilCrypto.WhyUnavailable is { } reason)
        {
            Skip = reason;
        }
    }
}
