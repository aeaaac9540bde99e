//! The journal of finished jobs: an append-only file next to the output. Each record names a job
//! and says where its result is in the temporary output file: every trace's dataset description
//! and, for each stored chunk, its file offset, length and CRC-32 (HDF5 writes raw chunks
//! straight through to the file, so a chunk's bytes are there once its record is). A killed run
//! leaves the journal valid up to its last whole record; `--resume` copies the results it lists
//! into a fresh output and runs only the jobs it lacks.

use std::fs::{File, OpenOptions};
use std::io::{BufReader, Read, Write};
use std::path::Path;

pub(crate) const MAGIC: &[u8; 8] = b"ASDFJRN5";

/// CRC-32 of `parts` one after the other (libdeflate's, which runs at memory speed).
pub(crate) fn crc32(parts: &[&[u8]]) -> u32 {
    let mut crc = libdeflater::Crc::new();
    parts.iter().for_each(|p| crc.update(p));
    crc.sum()
}

/// A record's checksum: CRC-32 of the job key followed by the payload.
fn checksum(job: &[u8], payload: &[u8]) -> u32 {
    crc32(&[job, payload])
}

/// One finished job as journalled (`payload`: where its result is, see the module docs).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Record {
    pub(crate) job: String,
    pub(crate) payload: Vec<u8>,
}

/// An open journal, appending.
pub(crate) struct Journal {
    file: File,
}

impl Journal {
    /// Creates a new journal (fails if one exists).
    pub(crate) fn create(path: &Path) -> std::io::Result<Self> {
        let mut file = OpenOptions::new().write(true).create_new(true).open(path)?;
        file.write_all(MAGIC)?;
        Ok(Journal { file })
    }

    /// Reads every whole record of an existing journal (a torn or damaged tail ends the list).
    pub(crate) fn records(path: &Path) -> std::io::Result<Vec<Record>> {
        let file = File::open(path)?;
        // No record is longer than what follows it in the file: a length field says nothing
        // larger than that is allocated.
        let mut left = file.metadata()?.len().saturating_sub(MAGIC.len() as u64);
        let mut r = BufReader::new(file);
        let mut magic = [0u8; 8];
        r.read_exact(&mut magic)?;
        if &magic != MAGIC {
            return Err(std::io::Error::new(std::io::ErrorKind::InvalidData, format!("{} is not a job journal", path.display())));
        }
        let mut records = Vec::new();
        loop {
            let mut head = [0u8; 16];
            if r.read_exact(&mut head).is_err() {
                break;
            }
            let job_len = u64::from_le_bytes(head[..8].try_into().unwrap_or_default());
            let pay_len = u64::from_le_bytes(head[8..].try_into().unwrap_or_default());
            let body_len = job_len.checked_add(pay_len).and_then(|n| n.checked_add(4));
            left = left.saturating_sub(16);
            let Some(body_len) = body_len.filter(|&n| job_len <= 1 << 20 && n <= left) else { break };
            left -= body_len;
            let (job_len, pay_len) = (job_len as usize, pay_len as usize);
            let mut body = vec![0u8; body_len as usize];
            if r.read_exact(&mut body).is_err() {
                break;
            }
            let n = job_len + pay_len;
            let sum = u32::from_le_bytes(body[n..].try_into().unwrap_or_default());
            if checksum(&body[..job_len], &body[job_len..n]) != sum {
                break;
            }
            let Ok(job) = String::from_utf8(body[..job_len].to_vec()) else { break };
            body.truncate(n);
            let payload = body.split_off(job_len);
            records.push(Record { job, payload });
        }
        Ok(records)
    }

    /// Appends one record, in one write: it reaches the operating system at once, so a killed
    /// process loses nothing. (After a power failure, records whose chunks did not reach the disk
    /// fail their checksums on resume, and those jobs run again.)
    pub(crate) fn append(&mut self, job: &str, payload: &[u8]) -> std::io::Result<()> {
        let mut rec = Vec::with_capacity(16 + job.len() + payload.len() + 4);
        rec.extend_from_slice(&(job.len() as u64).to_le_bytes());
        rec.extend_from_slice(&(payload.len() as u64).to_le_bytes());
        rec.extend_from_slice(job.as_bytes());
        rec.extend_from_slice(payload);
        rec.extend_from_slice(&checksum(job.as_bytes(), payload).to_le_bytes());
        self.file.write_all(&rec)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn torn_tail_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("j");
        let mut j = Journal::create(&p).unwrap();
        j.append("XX.A/raw", b"one").unwrap();
        j.append("XX.B/raw", b"two").unwrap();
        drop(j);
        assert!(Journal::create(&p).is_err(), "an existing journal is never overwritten");
        // Simulate a kill in the middle of a third record.
        let mut f = OpenOptions::new().append(true).open(&p).unwrap();
        f.write_all(&[5, 0, 0, 0, 0, 0, 0, 0, 9, 0]).unwrap();
        drop(f);
        let recs = Journal::records(&p).unwrap();
        assert_eq!(recs.iter().map(|r| r.job.as_str()).collect::<Vec<_>>(), ["XX.A/raw", "XX.B/raw"]);
        assert_eq!(recs[1].payload, b"two");
        // A damaged record ends the list too.
        let mut bytes = std::fs::read(&p).unwrap();
        let last = MAGIC.len() + 16 + 8 + 3 + 4 + 16 + 8;
        bytes[last] ^= 1;
        std::fs::write(&p, &bytes).unwrap();
        assert_eq!(Journal::records(&p).unwrap().len(), 1);
        // A length field claiming more than the file holds ends the list, nothing allocated.
        let mut huge = MAGIC.to_vec();
        huge.extend_from_slice(&8u64.to_le_bytes());
        huge.extend_from_slice(&(1u64 << 39).to_le_bytes());
        huge.extend_from_slice(b"XX.A/raw");
        std::fs::write(&p, &huge).unwrap();
        assert!(Journal::records(&p).unwrap().is_empty());
        std::fs::write(&p, b"not a journal").unwrap();
        assert!(Journal::records(&p).is_err());
    }
}
