namespace Kiln.Proofs.Snark;

/// <summary>
/// Caller-owned <c>slice_boxed_uint8_t</c>s made with the library's <c>alloc_boxed_slice</c> and filled with copies of
/// managed byte arrays (vanilla proofs, proof bytes, paths), as filecoin-ffi's Go side does; <see cref="Dispose"/> frees
/// the ones still owned with <c>destroy_boxed_slice</c>. Pin <see cref="Items"/> to pass them as a
/// <c>slice_ref_slice_boxed_uint8_t</c>.
/// </summary>
internal sealed unsafe class FfiBoxedSlices : IDisposable
{
    private readonly delegate* unmanaged<FfiSlice, void> _destroy;
    private int _owned;

    /// <exception cref="ProofsException">The library or its boxed-slice functions are missing, or an allocation failed.</exception>
    public FfiBoxedSlices(FilCryptoLibrary library, IReadOnlyList<byte[]> contents, string step)
    {
        var (alloc, destroy) = library.Resolve(FilCryptoFunction.AllocBoxedSlice, step);
        _destroy = (delegate* unmanaged<FfiSlice, void>)destroy;
        Items = new FfiSlice[contents.Count];
        try
        {
            for (var i = 0; i < contents.Count; i++)
            {
                var bytes = contents[i];
                var slice = ((delegate* unmanaged<nuint, FfiSlice>)alloc)((nuint)bytes.Length);
                if (slice.Ptr == null || slice.Len != (nuint)bytes.Length)
                {
                    throw new ProofsException($"alloc_boxed_slice({bytes.Length}) returned a bad slice: SNARK step {step} cannot run");
                }

                Items[i] = slice;
                _owned = i + 1;
                bytes.CopyTo(new Span<byte>(slice.Ptr, bytes.Length));
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The boxed slices, in input order.</summary>
    public FfiSlice[] Items { get; }

    /// <summary>
    /// Gives up ownership of every slice (after passing them by value to a function that frees them), so
    /// <see cref="Dispose"/> frees nothing.
    /// </summary>
    public void Release() => _owned = 0;

    public void Dispose()
    {
        for (var i = 0; i < _owned; i++)
        {
            _destroy(Items[i]);
        }

        _owned = 0;
    }
}
