namespace Kiln.Proofs.PoSt;

/// <summary>rust-fil-proofs' <c>PoStType</c>.</summary>
public enum PoStType
{
    /// <summary>Winning PoSt: one sector, 66 challenges, proven when a block is won.</summary>
    Winning,

    /// <summary>Window PoSt: every sector of a deadline's partitions, 10 challenges each.</summary>
    Window,
}
