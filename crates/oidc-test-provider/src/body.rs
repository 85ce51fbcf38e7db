//! The response body type: either a complete buffer or a streamed filler of a given size.
//!
//! The filler exists to test a client's response size limit: it is sent chunked, without a
//! `Content-Length`, so a client can only enforce its limit while reading.

use std::convert::Infallible;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use hyper::body::{Body, Frame, SizeHint};

/// Size of each streamed filler chunk.
const CHUNK: usize = 16 * 1024;

/// Opening of the filler, so it starts like a JSON object and a client has to read on to fail.
const FILLER_PREFIX: &[u8] = b"{\"filler\":\"";

/// A response body.
#[derive(Debug)]
pub(crate) enum ResponseBody {
    /// A complete body; `None` once it has been yielded.
    Full(Option<Bytes>),
    /// A streamed filler: `sent` of `total` bytes are out.
    Filler { sent: usize, total: usize },
}

impl ResponseBody {
    pub(crate) fn full(bytes: Bytes) -> Self {
        Self::Full((!bytes.is_empty()).then_some(bytes))
    }

    pub(crate) fn filler(total: usize) -> Self {
        Self::Filler { sent: 0, total }
    }
}

/// Bytes `start..start + len` of the filler: the JSON-ish prefix, then `x`s.
fn filler_chunk(start: usize, len: usize) -> Bytes {
    let mut out = Vec::with_capacity(len);
    for i in start..start + len {
        out.push(FILLER_PREFIX.get(i).copied().unwrap_or(b'x'));
    }
    Bytes::from(out)
}

impl Body for ResponseBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        // Both variants hold only `Unpin` data, so no pin projection is needed.
        match self.get_mut() {
            Self::Full(bytes) => Poll::Ready(bytes.take().map(|b| Ok(Frame::data(b)))),
            Self::Filler { sent, total } => {
                if *sent >= *total {
                    return Poll::Ready(None);
                }
                let len = CHUNK.min(*total - *sent);
                let chunk = filler_chunk(*sent, len);
                *sent += len;
                Poll::Ready(Some(Ok(Frame::data(chunk))))
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        match self {
            Self::Full(bytes) => bytes.is_none(),
            Self::Filler { sent, total } => sent >= total,
        }
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            Self::Full(bytes) => SizeHint::with_exact(bytes.as_ref().map_or(0, |b| b.len() as u64)),
            // Deliberately inexact (the default hint): hyper then uses chunked encoding and sends
            // no Content-Length.
            Self::Filler { .. } => SizeHint::default(),
        }
    }
}
