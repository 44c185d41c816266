namespace Kiln.Proofs;

/// <summary>Optional PoRep features carried by a registered seal proof.</summary>
[Flags]
public enum SealProofFeatures
{
    None = 0,
    SyntheticPoRep = 1,
    NonInteractivePoRep = 2,
}
