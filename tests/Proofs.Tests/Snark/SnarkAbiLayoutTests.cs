using System.Runtime.InteropServices;
using Kiln.Proofs.Snark;

namespace Kiln.Proofs.Tests.Snark;

/// <summary>The C layouts of filecoin-ffi's filcrypto.h (x86-64), which tests/native/fake_filcrypto.h also asserts on the C side.</summary>
public unsafe class SnarkAbiLayoutTests
{
    [Fact]
    public void Slices_are_pointer_and_length()
    {
        Assert.Equal(16, sizeof(FfiSlice));
        Assert.Equal(8, (int)Marshal.OffsetOf<FfiSlice>(nameof(FfiSlice.Len)));
    }

    [Fact]
    public void Results_have_status_at_0_error_at_8_and_value_at_24()
    {
        AssertResultLayout<byte>();
        AssertResultLayout<nuint>();
        AssertResultLayout<FfiSlice>();
        AssertResultLayout<FfiPoStProof>();
        AssertResultLayout<FfiWindowPoSt>();
        AssertResultLayout<FfiSingleWindowPoSt>();
    }

    [Fact]
    public void PoSt_structs_match_the_C_layout()
    {
        Assert.Equal(24, sizeof(FfiPoStProof));
        Assert.Equal(8, (int)Marshal.OffsetOf<FfiPoStProof>(nameof(FfiPoStProof.Proof)));

        Assert.Equal(48, sizeof(FfiPublicReplicaInfo));
        Assert.Equal(4, (int)Marshal.OffsetOf<FfiPublicReplicaInfo>(nameof(FfiPublicReplicaInfo.CommR)));
        Assert.Equal(40, (int)Marshal.OffsetOf<FfiPublicReplicaInfo>(nameof(FfiPublicReplicaInfo.SectorId)));

        Assert.Equal(80, sizeof(FfiPrivateReplicaInfo));
        Assert.Equal(8, (int)Marshal.OffsetOf<FfiPrivateReplicaInfo>(nameof(FfiPrivateReplicaInfo.CacheDirPath)));
        Assert.Equal(24, (int)Marshal.OffsetOf<FfiPrivateReplicaInfo>(nameof(FfiPrivateReplicaInfo.CommR)));
        Assert.Equal(56, (int)Marshal.OffsetOf<FfiPrivateReplicaInfo>(nameof(FfiPrivateReplicaInfo.ReplicaPath)));
        Assert.Equal(72, (int)Marshal.OffsetOf<FfiPrivateReplicaInfo>(nameof(FfiPrivateReplicaInfo.SectorId)));

        Assert.Equal(32, sizeof(FfiWindowPoSt));
        Assert.Equal(16, (int)Marshal.OffsetOf<FfiWindowPoSt>(nameof(FfiWindowPoSt.FaultySectors)));
        Assert.Equal(40, sizeof(FfiSingleWindowPoSt));
        Assert.Equal(24, (int)Marshal.OffsetOf<FfiSingleWindowPoSt>(nameof(FfiSingleWindowPoSt.FaultySectors)));
    }

    private static void AssertResultLayout<T>()
        where T : unmanaged
    {
        var result = default(FfiResult<T>);
        var start = (byte*)&result;
        Assert.Equal(0, (int)((byte*)&result.Status - start));
        Assert.Equal(8, (int)((byte*)&result.ErrorMsg - start));
        Assert.Equal(24, (int)((byte*)&result.Value - start));
    }
}
